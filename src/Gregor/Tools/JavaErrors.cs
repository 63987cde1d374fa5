using Confluent.Kafka;

namespace Gregor.Tools;

/// <summary>
/// A broker error as Kafka's tools print it, Java's Throwable.toString: the exception class Kafka's
/// Errors enum maps the code to, then the broker's message.
/// </summary>
public static class JavaErrors
{
    private static readonly Dictionary<ErrorCode, string> Classes = new()
    {
        [ErrorCode.UnknownTopicOrPart] = "UnknownTopicOrPartitionException",
        [ErrorCode.PreferredLeaderNotAvailable] = "PreferredLeaderNotAvailableException",
        [ErrorCode.EligibleLeadersNotAvailable] = "EligibleLeadersNotAvailableException",
        [ErrorCode.ElectionNotNeeded] = "ElectionNotNeededException",
        [ErrorCode.TopicException] = "InvalidTopicException",
        [ErrorCode.ClusterAuthorizationFailed] = "ClusterAuthorizationException",
        [ErrorCode.TopicAuthorizationFailed] = "TopicAuthorizationException",
        [ErrorCode.RequestTimedOut] = "TimeoutException",
        [ErrorCode.NotController] = "NotControllerException",
        [ErrorCode.Unknown] = "UnknownServerException",
        [ErrorCode.InvalidRequest] = "InvalidRequestException",
        [ErrorCode.UnsupportedVersion] = "UnsupportedVersionException",
        [ErrorCode.LeaderNotAvailable] = "LeaderNotAvailableException",
        [ErrorCode.NotLeaderForPartition] = "NotLeaderOrFollowerException",
    };

    public static string Describe(Error error) =>
        $"org.apache.kafka.common.errors.{Classes.GetValueOrDefault(error.Code, $"{error.Code}Exception")}: {error.Reason}";
}
