namespace DaemonNet.Tests.Support.Soak;

/// <summary>Which store the soak's collectors write to.</summary>
public enum SoakStore
{
    /// <summary>One collector on a SQLite file, on a small file system of its own that can fill up.</summary>
    Sqlite,

    /// <summary>Two collectors sharing one PostgreSQL database; the agents know both.</summary>
    Postgres,
}

/// <summary>
/// One soak run: how big, how long, how busy and how hostile, all drawn from <see cref="Seed"/>.
/// The time scale is the default deployment's (10 s interval, stale after three of them) shrunk
/// tenfold, so that a minute of soak holds as many rounds as ten minutes of a real cluster.
/// </summary>
public sealed record SoakSettings
{
    public int Seed { get; init; } = 1;

    public int Hosts { get; init; } = 3;

    public TimeSpan Duration { get; init; } = TimeSpan.FromSeconds(60);

    public SoakStore Store { get; init; } = SoakStore.Sqlite;

    /// <summary>Changes made to the cluster per second, over all hosts.</summary>
    public double ActionsPerSecond { get; init; } = 3;

    /// <summary>Faults started per minute; each lasts seconds, and several may overlap.</summary>
    public double FaultsPerMinute { get; init; } = 8;

    /// <summary>The agents' interval.</summary>
    public TimeSpan Interval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>The collectors' silence limit: the default, three intervals.</summary>
    public TimeSpan StaleAfter => 3 * Interval;

    /// <summary>
    /// The documented propagation delay: a change on a host is in the store within this, unless
    /// an outage holds it up. The agent notices a change within one interval (at once for the
    /// kernel's tables and the lease files, which it hears change), builds and sends a snapshot,
    /// and the collector commits it in a group; two intervals leave room for a busy machine.
    /// </summary>
    public TimeSpan Propagation => 2 * Interval + TimeSpan.FromSeconds(1);

    /// <summary>
    /// After an outage ends, how long until what it held up is in the store: the agent's backoff
    /// (at most one interval), a new TLS connection, the replay of what it journaled, and a
    /// propagation delay; plus a collector's own start when it was the one that stopped.
    /// </summary>
    public TimeSpan Recovery => 2 * Interval + TimeSpan.FromSeconds(4);

    /// <summary>Where the run keeps its logs and database; a new temporary folder when null.</summary>
    public string? Folder { get; init; }

    /// <summary>The run's lines of progress, or nothing.</summary>
    public Action<string> Log { get; init; } = _ => { };
}
