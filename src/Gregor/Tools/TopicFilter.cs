using System.Text.RegularExpressions;
using Gregor.Broker.Topics;

namespace Gregor.Tools;

/// <summary>
/// A topic include list as Kafka's tools take it (kafka-topics.sh --topic, kafka-console-consumer.sh
/// --include): a regular expression that must match the whole name, where ',' separates
/// alternatives and spaces and surrounding quotes (left by properties files and shells) are
/// dropped. A plain topic name is a regex matching itself, so "test.topic" also matches
/// "testXtopic", as in Kafka; "test\.topic" does not.
/// </summary>
public sealed class TopicFilter
{
    private readonly Regex _pattern;

    public TopicFilter(string raw)
    {
        Expression = raw.Trim().Replace(',', '|').Replace(" ", "", StringComparison.Ordinal).Trim('"', '\'');
        try
        {
            _pattern = new Regex($"^(?:{Expression})\\z", RegexOptions.CultureInvariant, TimeSpan.FromSeconds(1));
        }
        catch (ArgumentException)
        {
            throw new ToolException($"{Expression} is an invalid regex");
        }
    }

    /// <summary>The expression after the clean-up above.</summary>
    public string Expression { get; }

    public bool Allows(string topic, bool excludeInternal) =>
        _pattern.IsMatch(topic) && !(excludeInternal && InternalTopics.IsInternal(topic));
}
