using DaemonNet.Protos.V1;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>A history worth pruning: 100 reports 10 s apart, each with 50 bindings of its own, then one quiet report at 1,000 s.</summary>
internal static class ShortLivedBindings
{
    /// <summary>The binding rows that ended before the quiet report.</summary>
    public const int Count = 5_000;

    public static async Task Report(Func<HostSnapshot, DateTimeOffset, Task> apply, DateTimeOffset start)
    {
        for (var i = 0; i < 100; i++)
        {
            var snapshot = Host("daemon1", Vm("web1", 1));
            for (var n = 0; n < 50; n++)
            {
                snapshot.WithNeighbour($"10.{i % 200}.{n}.{i % 250}", $"52:54:00:{i % 256:x2}:{n:x2}:01", NeighbourState.Reachable);
            }
            await apply(snapshot, start.AddSeconds(10 * i));
        }
        await apply(Host("daemon1", Vm("web1", 1)), start.AddSeconds(1000));
    }
}
