using System.Collections;
using System.Reflection;
using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Wire;

namespace Gregor.Broker.Requests;

/// <summary>
/// Answers an API that Kafka defines and this broker does not implement, so that a client sending
/// it anyway reads a well-formed response instead of a closed connection. It is never advertised
/// in ApiVersions. The request is decoded with its generated codec (a malformed one still closes
/// the connection) and the response carries the API's own "not available" error where Kafka has
/// one (SECURITY_DISABLED for ACLs without an authorizer, DELEGATION_TOKEN_AUTH_DISABLED,
/// UNSUPPORTED_SASL_MECHANISM with no mechanisms, ILLEGAL_SASL_STATE), else UNSUPPORTED_VERSION.
/// Like Kafka's own error responses it mirrors the request: the error goes in the top-level
/// error code; a response without one gets, for each entry of the request's first list, an entry
/// in its own first list with the request's names, ids and indexes copied and the error code,
/// level by level.
/// </summary>
public sealed class UnsupportedApiHandler : IRequestHandler
{
    private static readonly MethodInfo DecodeMethod = typeof(UnsupportedApiHandler).GetMethod(nameof(Decode), BindingFlags.NonPublic | BindingFlags.Static)!;

    private readonly MethodInfo _decode;
    private readonly Type _responseType;
    private readonly ErrorCode _error;
    private readonly string _message;

    private UnsupportedApiHandler(ApiMessageInfo info, Type requestType, Type responseType)
    {
        ApiKey = info.Key;
        MinVersion = info.MinVersion;
        MaxVersion = info.MaxVersion;
        _decode = DecodeMethod.MakeGenericMethod(requestType);
        _responseType = responseType;
        (_error, _message) = info.Key switch
        {
            ApiKey.DescribeAcls or ApiKey.CreateAcls or ApiKey.DeleteAcls => (ErrorCode.SecurityDisabled, "No authorizer is configured on this broker"),
            ApiKey.CreateDelegationToken or ApiKey.RenewDelegationToken or ApiKey.ExpireDelegationToken or ApiKey.DescribeDelegationToken
                => (ErrorCode.DelegationTokenAuthDisabled, "Delegation tokens are not enabled on this broker"),
            ApiKey.SaslHandshake => (ErrorCode.UnsupportedSaslMechanism, "This listener has no SASL mechanism enabled"),
            ApiKey.SaslAuthenticate => (ErrorCode.IllegalSaslState, "This listener has no SASL mechanism enabled"),
            _ => (ErrorCode.UnsupportedVersion, $"{info.Name} is not implemented by this broker"),
        };
    }

    public ApiKey ApiKey { get; }

    public short MinVersion { get; }

    public short MaxVersion { get; }

    /// <summary>A handler for <paramref name="info"/>, or null when its generated types cannot be found.</summary>
    public static UnsupportedApiHandler? For(ApiMessageInfo info)
    {
        var assembly = typeof(ApiMessages).Assembly;
        var request = assembly.GetType($"{typeof(ApiMessages).Namespace}.{info.Name}Request");
        var response = assembly.GetType($"{typeof(ApiMessages).Namespace}.{info.Name}Response");
        return request is null || response is null ? null : new UnsupportedApiHandler(info, request, response);
    }

    public ValueTask<IKafkaMessage?> HandleAsync(RequestContext context, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        object request;
        try
        {
            request = _decode.Invoke(null, [body, context.ApiVersion])!;
        }
        catch (TargetInvocationException e) when (e.InnerException is ProtocolException inner)
        {
            throw inner;
        }
        var response = Activator.CreateInstance(_responseType)!;
        Mirror(request, response, context.ApiVersion, topLevel: true);
        return ValueTask.FromResult<IKafkaMessage?>((IKafkaMessage)response);
    }

    private static object Decode<T>(ReadOnlyMemory<byte> body, short version)
        where T : IKafkaMessage<T>
    {
        var reader = new KafkaReader(body);
        return T.Read(ref reader, version);
    }

    /// <summary>Fills one level of the response from the matching level of the request.</summary>
    private void Mirror(object? request, object response, short version, bool topLevel)
    {
        var type = response.GetType();
        var errorWritten = type.GetProperty("ErrorCode") is { } errorCode && errorCode.PropertyType == typeof(short)
            && IsWritten(response, version, errorCode, (short)_error);
        if (type.GetProperty("ErrorMessage") is { } errorMessage && errorMessage.PropertyType == typeof(string))
        {
            errorMessage.SetValue(response, _message);
        }
        if (request is null || topLevel && errorWritten)
        {
            return; // a response with a top-level error code says it all there, as Kafka's do
        }
        if (!topLevel)
        {
            CopyKeys(request, response);
        }
        // The lists of a version other than this one are empty in the decoded request, and
        // writing an entry into the response's changes nothing.
        var requested = request.GetType().GetProperties().Where(IsList).Select(p => p.GetValue(request)).OfType<IList>().FirstOrDefault(l => l.Count > 0);
        var responseList = type.GetProperties().Where(p => IsList(p) && !IsKey(p.PropertyType.GetGenericArguments()[0]))
            .FirstOrDefault(p => IsWritten(response, version, p, NewList(p, 1)));
        if (requested is null || responseList is null)
        {
            return;
        }
        var answered = NewList(responseList, 0);
        var elementType = responseList.PropertyType.GetGenericArguments()[0];
        foreach (var item in requested)
        {
            var element = Activator.CreateInstance(elementType)!;
            if (item is not null && IsKey(item.GetType()))
            {
                // A list of bare names or indexes: each becomes the first property of its type.
                elementType.GetProperties().FirstOrDefault(p => p.PropertyType == item.GetType() && p.CanWrite && IsKeyName(p.Name))?.SetValue(element, item);
                Mirror(null, element, version, topLevel: false);
            }
            else
            {
                Mirror(item, element, version, topLevel: false);
            }
            answered.Add(element);
        }
        responseList.SetValue(response, answered);
    }

    private static bool IsList(PropertyInfo property) =>
        property.PropertyType.IsGenericType && property.PropertyType.GetGenericTypeDefinition() == typeof(List<>);

    /// <summary>A list of <paramref name="count"/> default entries of the property's element type.</summary>
    private static IList NewList(PropertyInfo list, int count)
    {
        var result = (IList)Activator.CreateInstance(list.PropertyType)!;
        for (var i = 0; i < count; i++)
        {
            result.Add(Activator.CreateInstance(list.PropertyType.GetGenericArguments()[0]));
        }
        return result;
    }

    /// <summary>
    /// Whether <paramref name="property"/> is part of <paramref name="message"/>'s layout at this
    /// version: setting it to <paramref name="value"/> changes what is written. The value stays set
    /// when it is.
    /// </summary>
    private static bool IsWritten(object message, short version, PropertyInfo property, object value)
    {
        var before = Serialize(message, version);
        var previous = property.GetValue(message);
        property.SetValue(message, value);
        if (before.AsSpan().SequenceEqual(Serialize(message, version)))
        {
            property.SetValue(message, previous);
            return false;
        }
        return true;
    }

    private static byte[] Serialize(object message, short version)
    {
        using var writer = new KafkaWriter();
        // Nested entries' Write is internal to the protocol assembly.
        message.GetType().GetMethod("Write", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic, [typeof(KafkaWriter), typeof(short)])!
            .Invoke(message, [writer, version]);
        return writer.ToArray();
    }

    /// <summary>Copies what identifies an entry (names, ids, indexes) to the response entry of the same name.</summary>
    private static void CopyKeys(object request, object response)
    {
        foreach (var source in request.GetType().GetProperties())
        {
            if (IsKey(source.PropertyType) && IsKeyName(source.Name)
                && response.GetType().GetProperty(source.Name) is { CanWrite: true } target && target.PropertyType == source.PropertyType)
            {
                target.SetValue(response, source.GetValue(request));
            }
        }
    }

    private static bool IsKey(Type type) => type == typeof(string) || type == typeof(int) || type == typeof(long) || type == typeof(Uuid);

    private static bool IsKeyName(string name) =>
        name.EndsWith("Name", StringComparison.Ordinal) || name.EndsWith("Id", StringComparison.Ordinal) || name.EndsWith("Index", StringComparison.Ordinal)
        || name is "Topic" or "Partition" or "Path" or "User" or "Key";
}
