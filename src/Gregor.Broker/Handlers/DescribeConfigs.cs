using System.Globalization;
using Gregor.Broker.Admin;
using Gregor.Broker.Config;
using Gregor.Broker.Requests;
using Gregor.Broker.Topics;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.Handlers;

/// <summary>
/// DescribeConfigs, versions 0-4, for TOPIC (2) and BROKER (4) resources: every key (sorted) or
/// the requested ones that exist (an empty key list counts as all), with value, read-only,
/// is_default (v0) or config_source (v1+), sensitive, synonyms (v1+ with include_synonyms),
/// config type (v3+) and documentation (v3+ with include_documentation). An unknown topic is
/// UNKNOWN_TOPIC_OR_PARTITION without a message, an illegal name INVALID_TOPIC_EXCEPTION, a broker
/// id other than ours INVALID_REQUEST, as Kafka answers. Broker resource "" lists only the
/// cluster-wide dynamic defaults. Departure: BROKER_LOGGER (8) and the other resource types are
/// INVALID_REQUEST ("Unsupported resource type").
/// </summary>
public sealed class DescribeConfigsHandler(TopicManager topics, ConfigAdmin admin) : RequestHandler<DescribeConfigsRequest, DescribeConfigsResponse>
{
    protected override ValueTask<DescribeConfigsResponse?> HandleAsync(RequestContext context, DescribeConfigsRequest request, CancellationToken cancellationToken)
    {
        var version = context.ApiVersion;
        var response = new DescribeConfigsResponse();
        foreach (var resource in request.Resources)
        {
            var result = new DescribeConfigsResponse.DescribeConfigsResult
            {
                ResourceType = resource.ResourceType,
                ResourceName = resource.ResourceName,
                ErrorMessage = null,
            };
            response.Results.Add(result);
            var names = resource.ConfigurationKeys is { Count: > 0 } keys ? keys : null;
            var (error, configs) = Describe((ConfigResourceType)resource.ResourceType, resource.ResourceName, names);
            result.ErrorCode = (short)error.Error;
            result.ErrorMessage = error.Message;
            foreach (var config in configs)
            {
                result.Configs.Add(ToEntry(config, version, request.IncludeSynonyms, request.IncludeDocumentation));
            }
        }
        return ValueTask.FromResult<DescribeConfigsResponse?>(response);
    }

    private (ApiError Error, IReadOnlyList<DescribedConfig> Configs) Describe(ConfigResourceType type, string name, IReadOnlyList<string>? names)
    {
        switch (type)
        {
            case ConfigResourceType.Topic:
                if (TopicNames.Validate(name) is { } invalid)
                {
                    return (new ApiError(ErrorCode.InvalidTopicException, invalid), []);
                }
                if (topics.Find(name) is not { } record)
                {
                    return (new ApiError(ErrorCode.UnknownTopicOrPartition, null), []);
                }
                return (ApiError.None, ConfigDescriber.DescribeTopic(admin.Brokers, record.Configs, names));
            case ConfigResourceType.Broker:
                if (name.Length == 0)
                {
                    return (ApiError.None, ConfigDescriber.DescribeClusterDefaults(admin.Brokers, names));
                }
                var brokerId = admin.Brokers.Static.BrokerId;
                if (!int.TryParse(name, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
                {
                    return (new ApiError(ErrorCode.InvalidRequest, $"Broker id must be an integer, but it is: {name}"), []);
                }
                if (id != brokerId)
                {
                    return (new ApiError(ErrorCode.InvalidRequest, $"Unexpected broker id, expected {brokerId} or empty string, but received {name}"), []);
                }
                return (ApiError.None, ConfigDescriber.DescribeBroker(admin.Brokers, names));
            default:
                return (new ApiError(ErrorCode.InvalidRequest, $"Unsupported resource type: {type.ToString().ToUpperInvariant()}"), []);
        }
    }

    private static DescribeConfigsResponse.DescribeConfigsResourceResult ToEntry(DescribedConfig config, short version, bool includeSynonyms, bool includeDocumentation)
    {
        var entry = new DescribeConfigsResponse.DescribeConfigsResourceResult
        {
            Name = config.Name,
            Value = config.IsSensitive ? null : config.Value,
            ReadOnly = config.ReadOnly,
            IsSensitive = config.IsSensitive,
            ConfigType = (sbyte)config.Type,
            Documentation = includeDocumentation ? config.Documentation : null,
        };
        if (version == 0)
        {
            entry.IsDefault = config.IsDefault;
        }
        else
        {
            entry.ConfigSource = (sbyte)config.Source;
        }
        if (version >= 1 && includeSynonyms)
        {
            entry.Synonyms = config.Synonyms
                .Select(s => new DescribeConfigsResponse.DescribeConfigsSynonym { Name = s.Name, Value = config.IsSensitive ? null : s.Value, Source = (sbyte)s.Source })
                .ToList();
        }
        return entry;
    }
}
