using System.Buffers;
using System.Buffers.Binary;
using Gregor.Protocol.Records;
using Gregor.Storage;

namespace Gregor.Broker.Fetching;

/// <summary>
/// The records of a Fetch v0-3 response: a file region of stored v2 batches, converted to message
/// format v0/v1 while the response is written (as Kafka's LazyDownConversionRecords), never held
/// converted for the whole response. The connection reads them through <see cref="OpenReader"/>
/// one stored batch at a time and sends each before converting the next, so a down-converting
/// response holds one stored batch and its converted form (plus the connection's send buffer)
/// whatever the number of partitions, their limits or how slowly the client reads; the v4+ path
/// (<see cref="FileRegionMemory"/>, sendfile) is untouched.
/// <para>
/// Size: the length written before the bytes is fixed before anything is converted. It is the
/// stored region's length (which honours partition_max_bytes and max_bytes), or the first batch's
/// converted length if that is larger, so a consumer always gets at least one whole message set
/// and progresses; that first batch is converted once here to measure it and again when sent.
/// Converted output longer than the declared length is cut at it (legacy messages are larger than
/// their v2 form): the consumer sees a partial last message, which old consumers ignore, and
/// fetches it again. Output that ends short (a control batch left out, a batch that cannot be
/// converted) is filled out with the start of a message whose stated size runs past the end, with
/// offset -1, which consumers likewise take for a partial last message.
/// </para>
/// Anything that asks for the bytes themselves (<see cref="GetSpan"/>, e.g. a test decoding the
/// response in-process) gets them converted once, whole, on demand.
/// </summary>
public sealed class DownConvertedRecords : MemoryManager<byte>
{
    private readonly FileRegion _region;
    private readonly byte _magic;
    private readonly int _length;
    private byte[]? _copy;

    /// <summary>Measures the first batch's converted size; throws <see cref="InvalidDataException"/> when it cannot be converted.</summary>
    public DownConvertedRecords(FileRegion region, byte magic)
    {
        _region = region;
        _magic = magic;
        using var reader = new Reader(this, 0);
        _length = Math.Max(region.Length, reader.ConvertFirst());
        if (reader.Failure is { } failure)
        {
            throw new InvalidDataException(failure);
        }
    }

    /// <summary>The memory, without converting anything (the base implementation would).</summary>
    public override Memory<byte> Memory => CreateMemory(_length);

    /// <summary>A reader of the converted bytes, exactly <see cref="Memory"/>'s length of them; the caller disposes it.</summary>
    public Reader OpenReader() => new(this, _length);

    public override Span<byte> GetSpan()
    {
        if (_copy is null)
        {
            var copy = new byte[_length];
            using var reader = OpenReader();
            var at = 0;
            while (reader.TryRead(out var chunk))
            {
                chunk.Span.CopyTo(copy.AsSpan(at));
                at += chunk.Length;
            }
            _copy = copy;
        }
        return _copy;
    }

    public override MemoryHandle Pin(int elementIndex = 0) => throw new NotSupportedException("records converted on demand cannot be pinned");

    public override void Unpin()
    {
    }

    protected override void Dispose(bool disposing)
    {
    }

    /// <summary>
    /// Produces the converted bytes chunk by chunk: one stored batch read and converted at a time,
    /// then the filling, <c>length</c> bytes in all. A chunk is valid until the next call.
    /// </summary>
    public sealed class Reader : IDisposable
    {
        private const int FillerChunk = 64 * 1024;
        private readonly DownConvertedRecords _records;
        private readonly int _length;
        private readonly ArrayBufferWriter<byte> _converted = new();
        private readonly byte[] _header = new byte[RecordBatch.HeaderSize];
        private byte[] _batch = ArrayPool<byte>.Shared.Rent(64 * 1024);
        private long _position;
        private int _written;
        private bool _converting = true;
        private bool _filling;

        internal Reader(DownConvertedRecords records, int length)
        {
            _records = records;
            _length = length;
            _position = records._region.Position;
        }

        /// <summary>Why conversion stopped before the region's end (a batch that cannot be converted), if it did.</summary>
        public string? Failure { get; private set; }

        public bool TryRead(out ReadOnlyMemory<byte> chunk)
        {
            chunk = default;
            while (_written < _length)
            {
                if (_converting && !ConvertNext())
                {
                    _converting = false;
                }
                if (!_converting)
                {
                    chunk = Filler(_length - _written);
                }
                else if (_converted.WrittenCount == 0)
                {
                    continue; // a control batch: nothing for an old consumer
                }
                else
                {
                    chunk = _converted.WrittenMemory[..Math.Min(_converted.WrittenCount, _length - _written)];
                }
                _written += chunk.Length;
                return true;
            }
            return false;
        }

        /// <summary>Converts up to the first batch that gives an old consumer something; returns its converted size.</summary>
        internal int ConvertFirst()
        {
            while (ConvertNext())
            {
                if (_converted.WrittenCount > 0)
                {
                    return _converted.WrittenCount;
                }
            }
            return 0;
        }

        /// <summary>Reads and converts the next whole stored batch into <see cref="_converted"/>; false at the region's end.</summary>
        private bool ConvertNext()
        {
            var region = _records._region;
            var end = region.Position + region.Length;
            if (end - _position < RecordBatch.HeaderSize || RandomAccess.Read(region.Handle!, _header, _position) < _header.Length)
            {
                return false;
            }
            var size = RecordBatch.SizeInBytes(_header);
            if (size < RecordBatch.HeaderSize || size > end - _position)
            {
                return false;
            }
            if (_batch.Length < size)
            {
                ArrayPool<byte>.Shared.Return(_batch);
                _batch = ArrayPool<byte>.Shared.Rent(size);
            }
            if (RandomAccess.Read(region.Handle!, _batch.AsSpan(0, size), _position) < size)
            {
                return false;
            }
            _converted.ResetWrittenCount();
            try
            {
                LegacyMessageConverter.ConvertBatchToLegacy(_batch.AsSpan(0, size), _records._magic, _converted);
            }
            catch (InvalidDataException e)
            {
                Failure = $"the batch at offset {RecordBatch.BaseOffset(_batch)} ({region.Path}, position {_position}) cannot be converted: {e.Message}";
                return false;
            }
            _position += size;
            return true;
        }

        /// <summary>
        /// The start of the filling: offset -1 and a size that runs past the end (or zeros when
        /// fewer than their 12 bytes are left), then zeros.
        /// </summary>
        private ReadOnlyMemory<byte> Filler(int remaining)
        {
            var first = !_filling;
            _filling = true;
            _converted.ResetWrittenCount();
            var span = _converted.GetSpan(Math.Min(remaining, FillerChunk))[..Math.Min(remaining, FillerChunk)];
            span.Clear();
            if (first && span.Length >= 12)
            {
                BinaryPrimitives.WriteInt64BigEndian(span, -1);
                BinaryPrimitives.WriteInt32BigEndian(span[8..], remaining);
            }
            _converted.Advance(span.Length);
            return _converted.WrittenMemory;
        }

        public void Dispose()
        {
            var batch = _batch;
            _batch = [];
            if (batch.Length > 0)
            {
                ArrayPool<byte>.Shared.Return(batch);
            }
        }
    }
}
