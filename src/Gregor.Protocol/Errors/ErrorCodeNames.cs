using System.Collections.Frozen;
using System.Text;

namespace Gregor.Protocol.Errors;

public static class ErrorCodeNames
{
    private static readonly FrozenDictionary<ErrorCode, string> Names =
        Enum.GetValues<ErrorCode>().ToFrozenDictionary(code => code, ToSnakeCase);

    /// <summary>Kafka's name for the code, e.g. NOT_LEADER_OR_FOLLOWER; unknown codes print as their number.</summary>
    public static string KafkaName(this ErrorCode code) =>
        Names.TryGetValue(code, out var name) ? name : ((short)code).ToString(System.Globalization.CultureInfo.InvariantCulture);

    private static string ToSnakeCase(ErrorCode code)
    {
        var name = code.ToString();
        var sb = new StringBuilder(name.Length + 8);
        for (var i = 0; i < name.Length; i++)
        {
            if (i > 0 && char.IsUpper(name[i]))
            {
                sb.Append('_');
            }
            sb.Append(char.ToUpperInvariant(name[i]));
        }
        return sb.ToString();
    }
}
