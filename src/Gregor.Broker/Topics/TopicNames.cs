namespace Gregor.Broker.Topics;

/// <summary>Kafka's rules for topic names: 1-249 characters of [a-zA-Z0-9._-], and not "." or "..".</summary>
public static class TopicNames
{
    public const int MaxLength = 249;

    /// <summary>Returns null when <paramref name="name"/> is legal, else why not (Kafka's wording).</summary>
    public static string? Validate(string? name)
    {
        if (string.IsNullOrEmpty(name))
        {
            return "Topic name is illegal, it can't be empty";
        }
        if (name is "." or "..")
        {
            return "Topic name cannot be \".\" or \"..\"";
        }
        if (name.Length > MaxLength)
        {
            return $"Topic name is illegal, it can't be longer than {MaxLength} characters, topic name: {name}";
        }
        foreach (var c in name)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-'))
            {
                return $"Topic name \"{name}\" is illegal, it contains a character other than ASCII alphanumerics, '.', '_' and '-'";
            }
        }
        return null;
    }

    /// <summary>Kafka warns that '.' and '_' collide in metric names; topics differing only there are refused.</summary>
    public static string CollisionKey(string name) => name.Replace('.', '_');
}
