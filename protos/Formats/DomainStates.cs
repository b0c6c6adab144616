using DaemonNet.Protos.V1;

namespace DaemonNet.Protos.Formats;

/// <summary>
/// Libvirt's domain states: which mean the VM is alive (its memory exists, so it holds its
/// addresses), and the words admins use for each.
/// </summary>
public static class DomainStates
{
    /// <summary>Running, blocked on I/O, or paused (a start passes through paused for about a second).</summary>
    public static readonly DomainState[] Alive = [DomainState.Running, DomainState.Blocked, DomainState.Paused];

    public static bool IsAlive(DomainState state) => Array.IndexOf(Alive, state) >= 0;

    public static bool IsAlive(long state) => IsAlive((DomainState)state);

    /// <summary>The same set as a SQL list of the stored state numbers: "1, 2, 3".</summary>
    public static string AliveSql { get; } = string.Join(", ", Alive.Select(s => (int)s));

    /// <summary>The state in the words <c>virsh list</c> uses: "running", "shut off".</summary>
    public static string Describe(DomainState state) => state switch
    {
        DomainState.Running => "running",
        DomainState.Blocked => "blocked",
        DomainState.Paused => "paused",
        DomainState.Shutdown => "shutting down",
        DomainState.Shutoff => "shut off",
        DomainState.Crashed => "crashed",
        DomainState.Pmsuspended => "suspended",
        _ => "unknown",
    };
}
