using DaemonNet.Protos.V1;

namespace DaemonNet.Protos.Formats;

/// <summary>Which libvirt domain states mean the VM is alive: its memory exists, so it holds its addresses.</summary>
public static class DomainStates
{
    /// <summary>Running, blocked on I/O, or paused (a start passes through paused for about a second).</summary>
    public static readonly DomainState[] Alive = [DomainState.Running, DomainState.Blocked, DomainState.Paused];

    public static bool IsAlive(DomainState state) => Array.IndexOf(Alive, state) >= 0;

    public static bool IsAlive(long state) => IsAlive((DomainState)state);

    /// <summary>The same set as a SQL list of the stored state numbers: "1, 2, 3".</summary>
    public static string AliveSql { get; } = string.Join(", ", Alive.Select(s => (int)s));
}
