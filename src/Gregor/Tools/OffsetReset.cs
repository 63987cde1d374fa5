using System.Globalization;
using System.Xml;
using Confluent.Kafka;
using Confluent.Kafka.Admin;

namespace Gregor.Tools;

/// <summary>
/// The new offsets of a consumer-groups --reset-offsets, with kafka-consumer-groups.sh's rules:
/// --to-earliest, --to-latest, --to-current, --to-offset N and --shift-by N (both clamped to the
/// partition's [log start, log end] range), --to-datetime (the first offset at or after the time,
/// the log end if none) and --by-duration (the same, for now minus a PnDTnHnM duration).
/// </summary>
public sealed record OffsetReset(string Kind, long Value)
{
    /// <summary>Parses "YYYY-MM-DDTHH:mm:SS.sss[zone]" (no zone: local time, as Kafka) to epoch ms.</summary>
    public static long ParseDateTime(string text) =>
        DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out var t)
            ? t.ToUnixTimeMilliseconds()
            : throw new ToolException($"--to-datetime expects an ISO 8601 time such as 2024-01-31T12:00:00.000Z, got '{text}'");

    /// <summary>Parses an ISO 8601 duration such as PT1H or P1DT2H30M.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        try
        {
            return XmlConvert.ToTimeSpan(text);
        }
        catch (FormatException)
        {
            throw new ToolException($"--by-duration expects an ISO 8601 duration such as PT1H or P1DT2H30M, got '{text}'");
        }
    }

    public async Task<Dictionary<TopicPartition, long>> PlanAsync(AdminSession session, IReadOnlyCollection<TopicPartition> partitions,
        IReadOnlyDictionary<TopicPartition, long> committed)
    {
        var earliest = await LogOffsets.ListAsync(session, partitions, OffsetSpec.Earliest());
        var latest = await LogOffsets.ListAsync(session, partitions, OffsetSpec.Latest());
        long Clamp(TopicPartition tp, long offset) => Math.Clamp(offset, earliest[tp], Math.Max(earliest[tp], latest[tp]));
        long Current(TopicPartition tp) => committed.TryGetValue(tp, out var c)
            ? c
            : throw new ToolException($"group has no committed offset for {tp.Topic}-{tp.Partition.Value} to start from");

        Dictionary<TopicPartition, long>? byTime = null;
        if (Kind is "to-datetime" or "by-duration")
        {
            var at = Kind == "to-datetime" ? Value : DateTimeOffset.UtcNow.ToUnixTimeMilliseconds() - Value;
            byTime = await LogOffsets.ListAsync(session, partitions, OffsetSpec.ForTimestamp(at));
        }
        return partitions.ToDictionary(tp => tp, tp => Kind switch
        {
            "to-earliest" => earliest[tp],
            "to-latest" => latest[tp],
            "to-current" => committed.TryGetValue(tp, out var c) ? c : latest[tp],
            "to-offset" => Clamp(tp, Value),
            "shift-by" => Clamp(tp, Current(tp) + Value),
            _ => byTime![tp] >= 0 ? byTime[tp] : latest[tp],
        });
    }
}
