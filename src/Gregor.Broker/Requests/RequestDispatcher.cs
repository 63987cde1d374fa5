using Gregor.Protocol.Errors;
using Gregor.Protocol.Messages;
using Gregor.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Requests;

/// <summary>
/// Turns one request frame into one response frame. Stateless apart from the handler table,
/// so one instance serves every connection concurrently.
/// Departures from the happy path, as Kafka does them: an ApiVersions request of a version we do
/// not know is answered with UNSUPPORTED_VERSION in the v0 layout listing our ranges; an API Kafka
/// defines and Gregor does not implement is answered by <see cref="UnsupportedApiHandler"/> with an
/// error; any other unknown API key, unsupported version or malformed body closes the connection.
/// </summary>
public sealed class RequestDispatcher
{
    private readonly IRequestHandler?[] _handlers;

    /// <summary>APIs Kafka defines that have no handler here: answered with an error, never advertised.</summary>
    private readonly IRequestHandler?[] _unsupported;
    private readonly ILogger _logger;

    public RequestDispatcher(IEnumerable<IRequestHandler> handlers, ILogger<RequestDispatcher> logger)
    {
        _logger = logger;
        var list = handlers.ToList();
        _handlers = new IRequestHandler?[list.Count == 0 ? 1 : list.Max(h => (int)h.ApiKey) + 1];
        foreach (var handler in list)
        {
            _handlers[(int)handler.ApiKey] = handler;
        }
        _unsupported = new IRequestHandler?[ApiMessages.All.Max(a => (int)a.Key) + 1];
        foreach (var api in ApiMessages.All)
        {
            if ((int)api.Key >= _handlers.Length || _handlers[(int)api.Key] is null)
            {
                _unsupported[(int)api.Key] = UnsupportedApiHandler.For(api);
            }
        }
    }

    /// <summary>The (key, min, max) of every registered handler, in key order: what ApiVersions advertises.</summary>
    public IEnumerable<IRequestHandler> Handlers => _handlers.Where(h => h is not null)!;

    public async ValueTask<DispatchResult> DispatchAsync(ReadOnlyMemory<byte> frame, string connectionId, System.Net.EndPoint? remote, CancellationToken cancellationToken)
    {
        short apiKey, apiVersion;
        int correlationId;
        RequestHeader header;
        ReadOnlyMemory<byte> body;
        IRequestHandler? handler;
        ApiMessageInfo? info;
        try
        {
            var reader = new KafkaReader(frame);
            (apiKey, apiVersion, correlationId) = RequestHeader.ReadPrefix(ref reader);
            handler = apiKey >= 0 && apiKey < _handlers.Length ? _handlers[apiKey] : null;
            handler ??= apiKey >= 0 && apiKey < _unsupported.Length ? _unsupported[apiKey] : null;
            info = ApiMessages.Find(apiKey);
            if (handler is null || info is null)
            {
                return DispatchResult.Close($"unknown API key {apiKey} (version {apiVersion}, correlation id {correlationId})");
            }
            if (apiVersion < handler.MinVersion || apiVersion > handler.MaxVersion)
            {
                if (handler.ApiKey == ApiKey.ApiVersions)
                {
                    // KIP-511: answer in the v0 layout so any client can read our ranges.
                    return DispatchResult.Send(UnsupportedApiVersions(correlationId));
                }
                return DispatchResult.Close($"unsupported version {apiVersion} of {info.Name} (supported {handler.MinVersion}-{handler.MaxVersion})");
            }
            header = RequestHeader.ReadRest(ref reader, apiKey, apiVersion, correlationId, info.RequestHeaderVersion(apiVersion));
            body = frame[reader.Position..];
        }
        catch (ProtocolException e)
        {
            return DispatchResult.Close($"malformed request header: {e.Message}");
        }

        var context = new RequestContext(apiKey, apiVersion, correlationId, header.ClientId, remote, connectionId);
        try
        {
            return await HandleAsync(handler, info, context, body, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            context.ReturnResponseBuffers();
        }
    }

    private async ValueTask<DispatchResult> HandleAsync(IRequestHandler handler, ApiMessageInfo info, RequestContext context, ReadOnlyMemory<byte> body, CancellationToken cancellationToken)
    {
        var (apiVersion, correlationId, connectionId) = (context.ApiVersion, context.CorrelationId, context.ConnectionId);
        IKafkaMessage? response;
        try
        {
            response = await handler.HandleAsync(context, body, cancellationToken).ConfigureAwait(false);
        }
        catch (ProtocolException e)
        {
            return DispatchResult.Close($"malformed {info.Name} v{apiVersion} request (correlation id {correlationId}): {e.Message}");
        }
        catch (CloseConnectionException e)
        {
            return DispatchResult.Close(e.Message);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            return DispatchResult.Close("broker shutting down");
        }
        catch (Exception e)
        {
            _logger.LogError(e, "Handler for {Api} v{Version} failed on connection {Connection}", info.Name, apiVersion, connectionId);
            return DispatchResult.Close($"internal error handling {info.Name} v{apiVersion}: {e.GetType().Name}");
        }
        if (response is null)
        {
            return DispatchResult.NoResponse;
        }
        KafkaWriter framed;
        try
        {
            framed = Frame(response, correlationId, apiVersion, info.ResponseHeaderVersion(apiVersion));
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or OverflowException)
        {
            // Requests are validated on the way in so that this cannot happen; should a response
            // still not fit its version's layout, the client gets a closed connection and the log
            // one line, not a half-written frame.
            _logger.LogError("Could not write the {Api} v{Version} response on connection {Connection}: {Message}", info.Name, apiVersion, connectionId, e.Message);
            return DispatchResult.Close($"could not write the {info.Name} v{apiVersion} response (correlation id {correlationId})");
        }
        context.TransferResponseBuffers(framed);
        return DispatchResult.Send(framed);
    }

    /// <summary>Writes size prefix, response header and body into a new writer.</summary>
    public static KafkaWriter Frame(IKafkaMessage response, int correlationId, short version, short headerVersion)
    {
        var writer = new KafkaWriter();
        try
        {
            var sizePosition = writer.Reserve(4);
            ResponseHeader.Write(writer, correlationId, headerVersion);
            response.Write(writer, version);
            writer.PatchInt32(sizePosition, writer.Length - 4);
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    private KafkaWriter UnsupportedApiVersions(int correlationId)
    {
        var response = new ApiVersionsResponse { ErrorCode = (short)ErrorCode.UnsupportedVersion };
        foreach (var h in Handlers)
        {
            response.ApiKeys.Add(new ApiVersionsResponse.ApiVersion { ApiKey = (short)h.ApiKey, MinVersion = h.MinVersion, MaxVersion = h.MaxVersion });
        }
        return Frame(response, correlationId, version: 0, headerVersion: 0);
    }
}
