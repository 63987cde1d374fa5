using System.Buffers.Binary;
using Gregor.Protocol.Messages;

namespace Gregor.Broker.InterBroker;

/// <summary>
/// A request written (or about to be written) on a <see cref="BrokerConnection"/>, waiting for
/// its response. It is completed exactly once: with the decoded response, with the connection's
/// failure, or cancelled by its caller (its response is then read and dropped, since responses
/// arrive in order and the next one still has to be matched).
/// </summary>
internal abstract class InFlightRequest
{
    private ITimer? _timeout;

    protected InFlightRequest(string apiName, short version)
    {
        ApiName = apiName;
        Version = version;
    }

    public string ApiName { get; }

    public short Version { get; }

    public int CorrelationId { get; set; }

    public abstract Task Completion { get; }

    /// <summary>Arms the request timeout: when it fires first, <paramref name="onTimeout"/> runs.</summary>
    public void StartTimeout(TimeProvider time, TimeSpan timeout, Action<InFlightRequest> onTimeout) =>
        _timeout = time.CreateTimer(static state =>
        {
            var (request, callback) = ((InFlightRequest, Action<InFlightRequest>))state!;
            if (!request.Completion.IsCompleted)
            {
                callback(request);
            }
        }, (this, onTimeout), timeout, Timeout.InfiniteTimeSpan);

    /// <summary>
    /// Completes the request with <paramref name="frame"/> (a response frame without its size);
    /// returns a failure instead when the frame is not this request's response.
    /// </summary>
    public BrokerConnectionException? Complete(byte[] frame, string destination)
    {
        StopTimeout();
        var correlationId = BinaryPrimitives.ReadInt32BigEndian(frame);
        if (correlationId != CorrelationId)
        {
            return new BrokerConnectionException(
                $"{destination} answered correlation id {correlationId} where {ApiName} v{Version} (correlation id {CorrelationId}) was next");
        }
        try
        {
            SetResult(frame);
            return null;
        }
        // Not only ProtocolException: a response of another layout than expected (an older
        // broker's UNSUPPORTED_VERSION answer, say) may fail any way, and must fail just this connection.
        catch (Exception e)
        {
            return new BrokerConnectionException($"malformed {ApiName} v{Version} response from {destination}: {e.Message}", e);
        }
    }

    public void Fail(BrokerConnectionException failure)
    {
        StopTimeout();
        SetFailure(failure);
    }

    protected abstract void SetResult(byte[] frame);

    protected abstract void SetFailure(BrokerConnectionException failure);

    private void StopTimeout() => _timeout?.Dispose();
}

internal sealed class InFlightRequest<TResponse>(string apiName, short version) : InFlightRequest(apiName, version)
    where TResponse : IKafkaMessage<TResponse>
{
    private readonly TaskCompletionSource<TResponse> _response = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<TResponse> Response => _response.Task;

    public override Task Completion => _response.Task;

    public void Cancel(CancellationToken cancellationToken) => _response.TrySetCanceled(cancellationToken);

    // The body may keep slices of the frame, which is why each frame is its own array.
    protected override void SetResult(byte[] frame) =>
        _response.TrySetResult(ClientFrames.ReadResponse<TResponse>(frame, Version).Body);

    protected override void SetFailure(BrokerConnectionException failure) =>
        _response.TrySetException(new BrokerConnectionException(failure.Message, failure.InnerException));
}
