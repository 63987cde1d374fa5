using Gregor.Protocol.Messages;
using Gregor.Protocol.Wire;

namespace Gregor.Protocol.Tests.Support;

public static class GoldenAssert
{
    /// <summary>
    /// Asserts that <paramref name="message"/> writes exactly <paramref name="expected"/> at
    /// <paramref name="version"/>, and returns what reading <paramref name="expected"/> gives
    /// (having checked that every byte was consumed) for the caller to check field by field.
    /// </summary>
    public static T BothWays<T>(T message, short version, byte[] expected)
        where T : IKafkaMessage<T>
    {
        Assert.Equal(Hex.Format(expected), Hex.Format(MessageCatalog.Write(message, version)));
        var reader = new KafkaReader(expected);
        var read = T.Read(ref reader, version);
        Assert.True(reader.IsAtEnd, $"{reader.Remaining} bytes left unread");
        return read;
    }
}
