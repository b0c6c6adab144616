using DaemonNet.Protos.V1;
using Grpc.Net.Client;

namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// The collectors this agent may stream to, in the order given, one channel each. The agent stays
/// with the one that answers; when its stream breaks it moves to the next, round the list, with
/// the sync loop's backoff between attempts. Collectors that share one PostgreSQL database all
/// serve the same inventory, so any of them will do.
/// </summary>
public sealed class CollectorClients : IDisposable
{
    private readonly Func<string, GrpcChannel> open;
    private (string Url, GrpcChannel Channel, Ingest.IngestClient Client)[] collectors;
    private int current;

    public CollectorClients(IReadOnlyList<string> urls, Func<string, GrpcChannel> open)
    {
        if (urls.Count == 0)
        {
            throw new ArgumentException("at least one collector URL is needed", nameof(urls));
        }
        this.open = open;
        collectors = Open(urls);
    }

    /// <summary>The channel to the current collector, for calls besides the stream.</summary>
    public GrpcChannel Channel => collectors[current].Channel;

    /// <summary>The collector the next stream opens to.</summary>
    public string Url => collectors[current].Url;

    public Ingest.IngestClient Client => collectors[current].Client;

    public int Count => collectors.Length;

    /// <summary>
    /// After the current collector failed: gives it a new channel and moves on to the next
    /// collector of the list. A gRPC channel that failed to connect keeps a backoff of its own
    /// (from a second, 1.6 times longer at each failure, up to two minutes), and until it ends every
    /// call fails at once without trying. A collector back from an outage of a minute would then
    /// see its agents up to a minute later, whatever the sync loop's backoff says, and announce
    /// them stale; a new channel connects at its first call.
    /// </summary>
    public void Failed()
    {
        var old = collectors;
        var failed = old[current];
        var replaced = old.ToArray();
        replaced[current] = Open([failed.Url])[0];
        collectors = replaced;
        failed.Channel.Dispose();
        current = (current + 1) % collectors.Length;
    }

    /// <summary>
    /// New channels, so that the next calls open new connections (after a renewal, with the new
    /// certificate); the old ones close, ending a stream on them, which the sync loop opens again.
    /// </summary>
    public void Reopen()
    {
        var old = collectors;
        collectors = Open([.. old.Select(c => c.Url)]);
        Dispose(old);
    }

    public void Dispose() => Dispose(collectors);

    private (string Url, GrpcChannel Channel, Ingest.IngestClient Client)[] Open(IReadOnlyList<string> urls) =>
        [.. urls.Select(url => open(url)).Select((channel, i) => (urls[i], channel, new Ingest.IngestClient(channel)))];

    private static void Dispose((string Url, GrpcChannel Channel, Ingest.IngestClient Client)[] channels)
    {
        foreach (var (_, channel, _) in channels)
        {
            channel.Dispose();
        }
    }
}
