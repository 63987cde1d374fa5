namespace Gregor.ZooKeeper.Protocol;

/// <summary>The request types of ZooKeeper's RequestHeader.</summary>
internal enum OpCode
{
    Create = 1,
    Delete = 2,
    Exists = 3,
    GetData = 4,
    SetData = 5,
    GetChildren = 8,
    Sync = 9,
    Ping = 11,
    GetChildren2 = 12,
    Check = 13,
    Multi = 14,
    Create2 = 15,
    /// <summary>ZooKeeper 3.6+: getData/getChildren ops answered in one reply, each with its own result.</summary>
    MultiRead = 22,
    SetWatches = 101,
    CloseSession = -11,
    /// <summary>The type of a multi op result that failed.</summary>
    Error = -1,
}

/// <summary>The xids with a fixed meaning; requests use positive xids in increasing order.</summary>
internal static class SpecialXid
{
    public const int Notification = -1;
    public const int Ping = -2;
    public const int SetWatches = -8;
}
