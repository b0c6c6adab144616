using System.Collections.Concurrent;

namespace DaemonNet.Collector.Ingestion;

/// <summary>
/// How many messages each host had refused since the collector started: a host that keeps being
/// refused is misconfigured or hostile, and <c>daemonnet hosts</c> shows it.
/// </summary>
public sealed class RejectionCounter
{
    private readonly ConcurrentDictionary<string, long> counts = new(StringComparer.Ordinal);

    public void Count(string host) => counts.AddOrUpdate(host, 1, (_, count) => count + 1);

    public long For(string host) => counts.GetValueOrDefault(host);
}
