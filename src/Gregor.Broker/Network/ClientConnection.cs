using System.Buffers;
using System.Buffers.Binary;
using System.IO.Pipelines;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;
using Gregor.Broker.Fetching;
using Gregor.Broker.Requests;
using Microsoft.Extensions.Logging;

namespace Gregor.Broker.Network;

/// <summary>
/// One client connection: reads 4-byte length-prefixed frames and answers them strictly in
/// order, one at a time (a pipelined request waits until the one before it is answered, as Kafka
/// mutes a channel while a request is in flight). Backpressure: bytes are read from the socket
/// only when the loop asks for the next frame, and a response is written before the next frame
/// is read, so a client that sends without reading stalls on its own TCP window; memory held
/// per connection is bounded by one frame (at most socket.request.max.bytes, checked before the
/// frame is buffered, and taken from the <see cref="RequestBufferPool"/>, which bounds large
/// frames broker-wide) plus one response. Every way the loop ends — a close by either side, a
/// reset, a malformed frame, a handler or writer exception — gives the frame buffer back and
/// disposes the socket.
/// The connection is owned by its own loop task; nothing else touches its socket.
/// </summary>
public sealed class ClientConnection
{
    private readonly Socket _socket;
    private readonly RequestDispatcher _dispatcher;
    private readonly RequestBufferPool _buffers;
    private readonly ListenerOptions _options;
    private readonly ILogger _logger;
    private readonly EndPoint? _remote;

    public ClientConnection(Socket socket, string id, RequestDispatcher dispatcher, RequestBufferPool buffers, ListenerOptions options, ILogger logger)
    {
        _socket = socket;
        Id = id;
        _dispatcher = dispatcher;
        _buffers = buffers;
        _options = options;
        _logger = logger;
        _remote = socket.RemoteEndPoint;
    }

    public string Id { get; }

    public async Task RunAsync(CancellationToken shutdown)
    {
        try
        {
            await RunLoopAsync(shutdown).ConfigureAwait(false);
        }
        finally
        {
            _socket.Dispose();
        }
    }

    private async Task RunLoopAsync(CancellationToken shutdown)
    {
        await using var stream = new NetworkStream(_socket, ownsSocket: true);
        var reader = PipeReader.Create(stream, new StreamPipeReaderOptions(bufferSize: 64 * 1024, minimumReadSize: 4096, leaveOpen: true));
        using var idle = CancellationTokenSource.CreateLinkedTokenSource(shutdown);
        string? closeReason = null;
        try
        {
            while (closeReason is null)
            {
                idle.CancelAfter(TimeSpan.FromMilliseconds(_options.ConnectionsMaxIdleMs));
                var (frame, reason) = await ReadFrameAsync(reader, stream, idle.Token).ConfigureAwait(false);
                if (frame is null)
                {
                    closeReason = reason;
                    break;
                }
                using (frame)
                {
                    var result = await _dispatcher.DispatchAsync(frame.Memory, Id, _remote, shutdown).ConfigureAwait(false);
                    closeReason = result.CloseReason;
                    if (result.Response is { } response)
                    {
                        using (response)
                        {
                            await SendAsync(stream, response, shutdown).ConfigureAwait(false);
                        }
                    }
                }
            }
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            closeReason = null;
        }
        catch (OperationCanceledException)
        {
            closeReason = $"idle for more than connections.max.idle.ms={_options.ConnectionsMaxIdleMs}";
        }
        catch (Exception e) when (e is IOException or SocketException or ObjectDisposedException)
        {
            closeReason = null; // the peer went away; nothing to report
        }
        finally
        {
            await reader.CompleteAsync().ConfigureAwait(false);
        }
        if (closeReason is not null)
        {
            _logger.LogWarning("Closing connection {Connection} from {Remote}: {Reason}", Id, _remote, closeReason);
        }
    }

    /// <summary>
    /// Sends a response: in one gathered write when it references record sets it did not copy
    /// (so the header, the records and what follows leave together), else in one plain write;
    /// records to down-convert are converted while they are sent (<see cref="SendConvertingAsync"/>).
    /// </summary>
    private async ValueTask SendAsync(NetworkStream stream, Gregor.Protocol.Wire.KafkaWriter response, CancellationToken cancellationToken)
    {
        foreach (var segment in response.Segments)
        {
            if (MemoryMarshal.TryGetMemoryManager(segment, out FileRegionMemory? _))
            {
                await SendWithFilesAsync(response).ConfigureAwait(false);
                return;
            }
            if (MemoryMarshal.TryGetMemoryManager(segment, out DownConvertedRecords? _))
            {
                await SendConvertingAsync(stream, response, cancellationToken).ConfigureAwait(false);
                return;
            }
        }
        var segments = new List<ArraySegment<byte>>();
        foreach (var segment in response.Segments)
        {
            if (!MemoryMarshal.TryGetArray(segment, out var array))
            {
                array = segment.ToArray();
            }
            segments.Add(array);
        }
        if (segments.Count == 1)
        {
            await stream.WriteAsync(segments[0].AsMemory(), cancellationToken).ConfigureAwait(false);
            return;
        }
        var sent = await _socket.SendAsync(segments, SocketFlags.None).WaitAsync(cancellationToken).ConfigureAwait(false);
        if (sent < response.Length)
        {
            // A short gathered send: write what is left from where it stopped.
            var skip = sent;
            foreach (var segment in segments)
            {
                if (skip >= segment.Count)
                {
                    skip -= segment.Count;
                    continue;
                }
                await stream.WriteAsync(segment.AsMemory(skip), cancellationToken).ConfigureAwait(false);
                skip = 0;
            }
        }
    }

    /// <summary>
    /// Sends a response whose record sets are file regions: buffers and file regions go out in one
    /// SendPackets operation, which sends the file parts with sendfile(2), from the page cache to the
    /// socket without a copy through managed memory.
    /// </summary>
    private async ValueTask SendWithFilesAsync(Gregor.Protocol.Wire.KafkaWriter response)
    {
        var elements = new List<SendPacketsElement>();
        foreach (var segment in response.Segments)
        {
            if (MemoryMarshal.TryGetMemoryManager(segment, out FileRegionMemory? file, out var start, out var length))
            {
                // Wrapping the segment's handle must never close it: the stream is neither disposed
                // nor finalized (the segment owns the handle).
                var stream = new FileStream(file.Region.Handle!, FileAccess.Read, 0, isAsync: true);
                GC.SuppressFinalize(stream);
                elements.Add(new SendPacketsElement(stream, file.Region.Position + start, length, endOfPacket: false));
            }
            else if (MemoryMarshal.TryGetArray(segment, out var array))
            {
                elements.Add(new SendPacketsElement(array.Array!, array.Offset, array.Count));
            }
            else
            {
                elements.Add(new SendPacketsElement(segment.ToArray()));
            }
        }
        var completion = new TaskCompletionSource<SocketError>(TaskCreationOptions.RunContinuationsAsynchronously);
        using var args = new SocketAsyncEventArgs { SendPacketsElements = [.. elements] };
        args.Completed += (_, e) => completion.TrySetResult(e.SocketError);
        if (!_socket.SendPacketsAsync(args))
        {
            completion.TrySetResult(args.SocketError);
        }
        var error = await completion.Task.ConfigureAwait(false);
        if (error != SocketError.Success)
        {
            throw new SocketException((int)error);
        }
    }

    /// <summary>Bytes gathered into one write when a response is sent while it is converted.</summary>
    private const int ConvertingSendBuffer = 64 * 1024;

    /// <summary>
    /// Sends a response whose record sets are converted as they go (Fetch v0-3): each is read and
    /// converted one stored batch at a time, and each chunk is written before the next is
    /// converted, so a client that reads slowly holds back the conversion instead of letting the
    /// broker hold its whole response converted. Small pieces (headers, short chunks) are gathered
    /// into one buffer so that they do not go out as one write each. A batch that cannot be
    /// converted ends its record set early (the rest is filled, see <see cref="DownConvertedRecords"/>)
    /// with one log line; the consumer's next fetch starts at that batch.
    /// </summary>
    private async ValueTask SendConvertingAsync(NetworkStream stream, Gregor.Protocol.Wire.KafkaWriter response, CancellationToken cancellationToken)
    {
        var buffer = ArrayPool<byte>.Shared.Rent(ConvertingSendBuffer);
        var filled = 0;
        try
        {
            foreach (var segment in response.Segments)
            {
                if (!MemoryMarshal.TryGetMemoryManager(segment, out DownConvertedRecords? records))
                {
                    await WriteAsync(segment).ConfigureAwait(false);
                    continue;
                }
                using var reader = records.OpenReader();
                while (reader.TryRead(out var chunk))
                {
                    await WriteAsync(chunk).ConfigureAwait(false);
                }
                if (reader.Failure is { } failure)
                {
                    _logger.LogError("Connection {Connection}: down-conversion for an old consumer stopped early: {Failure}", Id, failure);
                }
            }
            if (filled > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, filled), cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }

        async ValueTask WriteAsync(ReadOnlyMemory<byte> bytes)
        {
            if (bytes.Length > buffer.Length - filled && filled > 0)
            {
                await stream.WriteAsync(buffer.AsMemory(0, filled), cancellationToken).ConfigureAwait(false);
                filled = 0;
            }
            if (bytes.Length >= buffer.Length)
            {
                await stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                return;
            }
            bytes.Span.CopyTo(buffer.AsSpan(filled));
            filled += bytes.Length;
        }
    }

    /// <summary>Frames larger than this that have not fully arrived are read from the socket into the frame itself.</summary>
    private const int DirectReadThreshold = 64 * 1024;

    /// <summary>
    /// Reads the next frame into a buffer from the pool (the caller disposes it). Returns a null
    /// frame and a reason to close (null when the peer simply closed between frames); on every
    /// other way out (cancellation, a socket error) the buffer taken is given back here.
    /// </summary>
    private async ValueTask<(FrameBuffer? Frame, string? Reason)> ReadFrameAsync(PipeReader reader, NetworkStream stream, CancellationToken cancellationToken)
    {
        while (true)
        {
            var read = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = read.Buffer;
            if (buffer.Length >= 4)
            {
                var size = ReadSize(buffer);
                if (size < 0 || size > _options.MaxRequestBytes)
                {
                    reader.AdvanceTo(buffer.Start, buffer.End);
                    return (null, DescribeBadSize(size, buffer));
                }
                if (buffer.Length >= 4L + size)
                {
                    var frame = await _buffers.RentAsync(size, cancellationToken).ConfigureAwait(false);
                    buffer.Slice(4, size).CopyTo(frame.Memory.Span);
                    reader.AdvanceTo(buffer.GetPosition(4L + size));
                    return (frame, null);
                }
                if (size > DirectReadThreshold)
                {
                    // A large frame that is not all here: take what the pipe holds, then let the
                    // socket write the rest straight into the frame instead of through the pipe's
                    // buffers (one copy fewer). The pipe is left empty, so reading the stream
                    // directly cannot skip bytes it buffered. Waiting for the pool's room happens
                    // before anything more is read: a bounded pool pauses this socket.
                    var frame = await _buffers.RentAsync(size, cancellationToken).ConfigureAwait(false);
                    try
                    {
                        var have = (int)(buffer.Length - 4);
                        buffer.Slice(4).CopyTo(frame.Memory.Span);
                        reader.AdvanceTo(buffer.End);
                        while (have < size)
                        {
                            var n = await stream.ReadAsync(frame.Memory[have..], cancellationToken).ConfigureAwait(false);
                            if (n == 0)
                            {
                                frame.Dispose();
                                return (null, $"connection closed in the middle of a frame ({4 + have} of {4 + size} bytes received)");
                            }
                            have += n;
                        }
                    }
                    catch
                    {
                        frame.Dispose();
                        throw;
                    }
                    return (frame, null);
                }
            }
            if (read.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                return (null, buffer.Length == 0 ? null : $"connection closed in the middle of a frame ({buffer.Length} bytes received)");
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private static int ReadSize(ReadOnlySequence<byte> buffer)
    {
        Span<byte> prefix = stackalloc byte[4];
        buffer.Slice(0, 4).CopyTo(prefix);
        return BinaryPrimitives.ReadInt32BigEndian(prefix);
    }

    private string DescribeBadSize(int size, ReadOnlySequence<byte> buffer)
    {
        Span<byte> head = stackalloc byte[(int)Math.Min(buffer.Length, 16)];
        buffer.Slice(0, head.Length).CopyTo(head);
        var text = new string([.. head.ToArray().Select(b => b is >= 0x20 and < 0x7f ? (char)b : '.')]);
        var hint = text.StartsWith("GET ", StringComparison.Ordinal) || text.StartsWith("POST ", StringComparison.Ordinal) || text.StartsWith("HEAD ", StringComparison.Ordinal)
            ? " (an HTTP request sent to the Kafka port?)"
            : "";
        return size < 0
            ? $"invalid frame size {size}{hint}; first bytes \"{text}\""
            : $"frame size {size} exceeds socket.request.max.bytes={_options.MaxRequestBytes}{hint}; first bytes \"{text}\"";
    }
}
