using Microsoft.Extensions.Logging;

namespace Gregor.ZooKeeper;

public sealed class ZooKeeperClientOptions
{
    /// <summary>"h1:p1,h2:p2/chroot"; the chroot is optional, a host without a port uses 2181.</summary>
    public required string ConnectString { get; init; }

    /// <summary>The session timeout asked for; the server clamps it to its own bounds.</summary>
    public TimeSpan SessionTimeout { get; init; } = TimeSpan.FromSeconds(18);

    /// <summary>How long ConnectAsync tries the hosts before it gives up.</summary>
    public TimeSpan ConnectionTimeout { get; init; } = TimeSpan.FromSeconds(18);

    /// <summary>Calls beyond this many wait for a free slot before they are sent.</summary>
    public int MaxInFlightRequests { get; init; } = 10;

    public ILogger? Logger { get; init; }

    /// <summary>The clock of pings, read timeouts and reconnect back-off.</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
