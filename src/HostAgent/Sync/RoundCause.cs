namespace DaemonNet.HostAgent.Sync;

/// <summary>Why the next observation is made.</summary>
public enum RoundCause
{
    /// <summary>An interval passed without anything happening.</summary>
    Interval,

    /// <summary>The host signalled a change, and its burst has settled.</summary>
    Change,

    /// <summary>The collector asked for a full snapshot, for the reasons given.</summary>
    SnapshotRequested,
}
