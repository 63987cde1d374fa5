namespace Gregor.Broker.Cluster.ZooKeeper;

/// <summary>
/// The outcome of decoding a znode's payload: the value, or what was wrong with it. Decoders never
/// throw on bad data; the caller logs <see cref="Error"/> with the znode's path and skips the node.
/// </summary>
public readonly record struct ZnodeParseResult<T>
    where T : class
{
    private ZnodeParseResult(T? value, string? error)
    {
        Value = value;
        Error = error;
    }

    public T? Value { get; }

    public string? Error { get; }

    public bool IsValid => Value is not null;

    public static ZnodeParseResult<T> Valid(T value) => new(value, null);

    public static ZnodeParseResult<T> Invalid(string error) => new(null, error);

    /// <summary>The value, or an <see cref="InvalidDataException"/> naming the path and the defect.</summary>
    public T GetValueOrThrow(string path) =>
        Value ?? throw new InvalidDataException($"Malformed znode {path}: {Error}");
}
