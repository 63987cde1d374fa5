using System.Globalization;
using Gregor.Broker.Config;
using Gregor.Broker.Topics;
using Gregor.Protocol.Errors;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Admin;

/// <summary>
/// The alterations behind AlterConfigs and IncrementalAlterConfigs, for TOPIC and BROKER resources.
/// A topic's overrides are validated as a whole (INVALID_CONFIG with the validator's message, as
/// Kafka's controller answers) and applied live through <see cref="TopicManager.SetConfigsAsync"/>.
/// Broker resources ("" for the cluster-wide defaults, this broker's id for its own) accept what
/// Kafka accepts (<see cref="DynamicBrokerKeys"/>); anything else, or an invalid value, is
/// INVALID_REQUEST as Kafka answers; a change of a log default becomes the default of every topic
/// without an override at once. A key that is stored but has no effect in Gregor yet gets one log line.
/// <para>Alterations are serialised by <see cref="_gate"/> so read-modify-write never loses a change.</para>
/// </summary>
public sealed class ConfigAdmin(TopicManager topics, DynamicBrokerConfig brokers, int brokerId, ILogger? logger = null)
{
    private readonly SemaphoreSlim _gate = new(1, 1);

    public DynamicBrokerConfig Brokers => brokers;

    /// <summary>
    /// Replaces a topic's overrides with what <paramref name="update"/> makes of the current ones
    /// (it may throw <see cref="ConfigException"/>: INVALID_CONFIG).
    /// </summary>
    public async ValueTask<ApiError> AlterTopicAsync(string name, Func<IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>> update, bool validateOnly, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (topics.Find(name) is not { } record)
            {
                return new ApiError(ErrorCode.UnknownTopicOrPartition, $"The topic '{name}' does not exist.");
            }
            IReadOnlyDictionary<string, string> overrides;
            try
            {
                overrides = update(record.Configs);
                TopicConfigDefinitions.Validate(overrides);
            }
            catch (ConfigException e)
            {
                return new ApiError(ErrorCode.InvalidConfig, e.Message);
            }
            if (validateOnly)
            {
                return ApiError.None;
            }
            var error = await topics.SetConfigsAsync(name, overrides, cancellationToken).ConfigureAwait(false);
            if (error != ErrorCode.None)
            {
                return new ApiError(error, $"The topic '{name}' does not exist.");
            }
            var inert = overrides.Keys.Where(k => TopicConfigDefinitions.TryGet(k, out var key) && key.NoEffectYet && !Same(record.Configs, overrides, k)).ToList();
            if (inert.Count > 0)
            {
                logger?.LogInformation("Topic {Topic}: {Keys} stored; Gregor does not act on {Them} yet", name, Describe(inert, overrides), inert.Count == 1 ? "it" : "them");
            }
            return ApiError.None;
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>
    /// Replaces one layer of dynamic broker configs with what <paramref name="update"/> makes of it
    /// (it may throw <see cref="ConfigException"/>: INVALID_REQUEST).
    /// </summary>
    public ApiError AlterBroker(string resourceName, Func<IReadOnlyDictionary<string, string>, IReadOnlyDictionary<string, string>> update, bool validateOnly)
    {
        var perBroker = resourceName.Length > 0;
        if (perBroker && CheckBrokerId(resourceName) is { } wrongId)
        {
            return wrongId;
        }
        _gate.Wait();
        try
        {
            try
            {
                var before = brokers.Layer(perBroker);
                if (brokers.Replace(perBroker, update, validateOnly) is { } effective)
                {
                    topics.UpdateBrokerDefaults(effective);
                    var after = brokers.Layer(perBroker);
                    var inert = after.Keys.Where(k => !DynamicBrokerKeys.Applied.Contains(k) && !Same(before, after, k)).ToList();
                    if (inert.Count > 0)
                    {
                        logger?.LogInformation("Dynamic broker config of {Resource}: {Keys} stored; Gregor does not act on {Them} yet",
                            perBroker ? $"broker {resourceName}" : "the cluster default", Describe(inert, after), inert.Count == 1 ? "it" : "them");
                    }
                }
                return ApiError.None;
            }
            catch (ConfigException e)
            {
                return new ApiError(ErrorCode.InvalidRequest, e.Message);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>A broker resource name other than "" must be this broker's id (INVALID_REQUEST otherwise).</summary>
    public ApiError? CheckBrokerId(string resourceName)
    {
        if (!int.TryParse(resourceName, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var id))
        {
            return new ApiError(ErrorCode.InvalidRequest, $"Node id must be an integer, but it is: {resourceName}");
        }
        return id == brokerId ? null : new ApiError(ErrorCode.InvalidRequest, $"Unexpected broker id, expected {brokerId}, but received {resourceName}");
    }

    /// <summary>
    /// Applies IncrementalAlterConfigs operations to a resource's current values. APPEND and
    /// SUBTRACT work on list keys only, starting from the effective value when the key is unset;
    /// APPEND skips items already present, SUBTRACT removes every occurrence.
    /// </summary>
    /// <param name="listType">Whether a key is a list; null for an unknown key.</param>
    /// <param name="effectiveValue">The value a key has now when it is not set in <paramref name="current"/>.</param>
    /// <exception cref="ConfigException">APPEND/SUBTRACT on a key that is not a list.</exception>
    public static IReadOnlyDictionary<string, string> ApplyIncremental(
        IReadOnlyDictionary<string, string> current,
        IEnumerable<(string Name, AlterConfigOp Op, string? Value)> operations,
        Func<string, bool?> listType,
        Func<string, string?> effectiveValue)
    {
        var result = new Dictionary<string, string>(current, StringComparer.Ordinal);
        foreach (var (name, op, value) in operations)
        {
            switch (op)
            {
                case AlterConfigOp.Set:
                    result[name] = value!;
                    break;
                case AlterConfigOp.Delete:
                    result.Remove(name);
                    break;
                default:
                    if (listType(name) is null)
                    {
                        throw new ConfigException(name, $"Unknown config name: {name}");
                    }
                    if (listType(name) != true)
                    {
                        throw new ConfigException(name, $"Can't {op.ToString().ToUpperInvariant()} to key {name} because its type is not LIST.");
                    }
                    var items = Split(result.TryGetValue(name, out var set) ? set : effectiveValue(name));
                    foreach (var item in Split(value))
                    {
                        if (op == AlterConfigOp.Append && !items.Contains(item))
                        {
                            items.Add(item);
                        }
                        else if (op == AlterConfigOp.Subtract)
                        {
                            items.RemoveAll(i => i == item);
                        }
                    }
                    result[name] = string.Join(",", items);
                    break;
            }
        }
        return result;
    }

    private static bool Same(IReadOnlyDictionary<string, string> before, IReadOnlyDictionary<string, string> after, string key) =>
        before.TryGetValue(key, out var a) && after.TryGetValue(key, out var b) && a == b;

    /// <summary>key=value pairs for a log line, sorted; passwords hidden.</summary>
    private static string Describe(IEnumerable<string> keys, IReadOnlyDictionary<string, string> values) =>
        string.Join(", ", keys.Order(StringComparer.Ordinal).Select(k => $"{k}={(DynamicBrokerKeys.IsPassword(k) ? BrokerConfig.HiddenValue : values[k])}"));

    private static List<string> Split(string? list) =>
        string.IsNullOrWhiteSpace(list) ? [] : list.Split(',').Select(s => s.Trim()).Where(s => s.Length > 0).ToList();
}
