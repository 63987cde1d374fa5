using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Support;

/// <summary>Something that reads from a <see cref="KafkaReader"/> (a ref struct, so lambdas take it by ref).</summary>
public delegate void ReadAction(ref KafkaReader reader);

public static class ReaderAssert
{
    /// <summary>Asserts that reading <paramref name="input"/> throws <see cref="ProtocolException"/> (and nothing else).</summary>
    public static ProtocolException Throws(byte[] input, ReadAction read)
    {
        var reader = new KafkaReader(input);
        try
        {
            read(ref reader);
        }
        catch (ProtocolException e)
        {
            return e;
        }
        throw new Xunit.Sdk.XunitException($"expected a ProtocolException reading {Hex.Format(input)}");
    }
}
