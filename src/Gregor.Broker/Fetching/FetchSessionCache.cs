namespace Gregor.Broker.Fetching;

/// <summary>
/// Holds at most <see cref="MaxSessions"/> fetch sessions (max.incremental.fetch.session.cache.slots,
/// 1000 by default); a new session evicts the least recently used one when full. One lock guards
/// the map.
/// </summary>
public sealed class FetchSessionCache(int maxSessions = 1000)
{
    private readonly Dictionary<int, FetchSession> _sessions = [];
    private readonly Lock _lock = new();

    public int MaxSessions { get; } = maxSessions;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _sessions.Count;
            }
        }
    }

    public FetchSession Create()
    {
        lock (_lock)
        {
            if (_sessions.Count >= MaxSessions)
            {
                var oldest = _sessions.Values.MinBy(s => s.LastUsedTicks)!;
                _sessions.Remove(oldest.Id);
            }
            int id;
            do
            {
                id = Random.Shared.Next(1, int.MaxValue);
            }
            while (_sessions.ContainsKey(id));
            var session = new FetchSession(id) { LastUsedTicks = Environment.TickCount64 };
            _sessions[id] = session;
            return session;
        }
    }

    public FetchSession? Find(int id)
    {
        lock (_lock)
        {
            if (_sessions.TryGetValue(id, out var session))
            {
                session.LastUsedTicks = Environment.TickCount64;
            }
            return session;
        }
    }

    public void Remove(int id)
    {
        lock (_lock)
        {
            _sessions.Remove(id);
        }
    }
}
