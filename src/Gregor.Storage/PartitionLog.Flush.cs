namespace Gregor.Storage;

public sealed partial class PartitionLog
{
    private readonly Lock _flushLock = new();
    private TaskCompletionSource? _pendingFlush;
    private bool _flushRunning;

    /// <summary>fsync everything up to the log end offset and move the recovery point there.</summary>
    public void Flush() => FlushUpTo(LogEndOffset);

    /// <summary>fsync the segments holding offsets in [RecoveryPoint, <paramref name="offset"/>), then advance the recovery point.</summary>
    internal void FlushUpTo(long offset)
    {
        List<LogSegment> toFlush = [];
        long unflushed;
        lock (_lock)
        {
            if (_closed || offset <= _recoveryPoint)
            {
                return;
            }
            // An acknowledgement waiting for this flush must not be given for an offline dir.
            ThrowIfOffline();
            foreach (var s in _segments)
            {
                if (s.NextOffset > _recoveryPoint && s.BaseOffset < offset)
                {
                    toFlush.Add(s);
                }
            }
            unflushed = _unflushedMessages;
        }
        foreach (var s in toFlush)
        {
            try
            {
                s.Flush();
            }
            catch (ObjectDisposedException)
            {
                // Deleted or truncated away meanwhile: nothing left to make durable.
            }
            catch (IOException e)
            {
                throw StorageFailure("flushing", e);
            }
        }
        lock (_lock)
        {
            var target = Math.Min(offset, _logEndOffset);
            if (target > _recoveryPoint)
            {
                Volatile.Write(ref _recoveryPoint, target);
            }
            if (offset >= _logEndOffset)
            {
                _unflushedMessages = Math.Max(0, _unflushedMessages - unflushed);
            }
            _lastFlushMs = NowMs;
        }
    }

    /// <summary>flush.ms: called by the log manager's scheduler.</summary>
    internal void MaybeFlushByTime()
    {
        var config = Config;
        bool due;
        lock (_lock)
        {
            due = !_closed && _logEndOffset > _recoveryPoint && NowMs - _lastFlushMs >= config.FlushIntervalMs;
        }
        if (due)
        {
            Flush();
        }
    }

    /// <summary>
    /// Group commit: every caller gets the task of the next fsync to start. The flusher takes the
    /// pending task before it reads the log end offset, so every append that obtained it was written
    /// before that fsync began and is covered by it.
    /// </summary>
    private Task RequestGroupFlush()
    {
        lock (_flushLock)
        {
            _pendingFlush ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            var task = _pendingFlush.Task;
            if (!_flushRunning)
            {
                _flushRunning = true;
                _ = Task.Run(FlushLoop);
            }
            return task;
        }
    }

    private void FlushLoop()
    {
        while (true)
        {
            TaskCompletionSource? waiting;
            lock (_flushLock)
            {
                waiting = _pendingFlush;
                _pendingFlush = null;
                if (waiting is null)
                {
                    _flushRunning = false;
                    return;
                }
            }
            try
            {
                Flush();
                waiting.SetResult();
            }
            catch (Exception e)
            {
                waiting.SetException(e);
            }
        }
    }
}
