using System.Threading.Channels;
using Grpc.Core;

namespace DaemonNet.HostAgent.Sync;

/// <summary>
/// The timing of a sync stream: the next observation comes after one interval, or sooner when the
/// host signals a change (after <see cref="Coalesce"/>, so that one VM start, which touches
/// links, addresses and neighbours, costs one snapshot), or at once when the collector asks.
/// </summary>
public sealed class SyncRounds(ChangeSignal changes, TimeProvider time, TimeSpan interval)
{
    public static readonly TimeSpan Coalesce = TimeSpan.FromMilliseconds(100);

    /// <exception cref="RpcException">The collector closed the stream, or it failed.</exception>
    public async Task<Round> NextAsync(ChannelReader<string> snapshotRequests, CancellationToken cancellationToken)
    {
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var elapsed = Task.Delay(interval, time, wait.Token);
        var request = snapshotRequests.WaitToReadAsync(wait.Token).AsTask();
        var changed = changes.WaitAsync(wait.Token);
        var first = await Task.WhenAny(elapsed, request, changed);
        await wait.CancelAsync();
        cancellationToken.ThrowIfCancellationRequested();
        if (first == request)
        {
            // Throws the stream's failure when the reader ended with one.
            if (!await request)
            {
                throw new RpcException(new Status(StatusCode.Unavailable, "the collector closed the stream"));
            }
            var reasons = new List<string>();
            while (snapshotRequests.TryRead(out var reason))
            {
                reasons.Add(reason);
            }
            return new Round(RoundCause.SnapshotRequested, reasons);
        }
        if (first == changed)
        {
            await Task.Delay(Coalesce, time, cancellationToken);
            changes.Settle();
            return new Round(RoundCause.Change, []);
        }
        return new Round(RoundCause.Interval, []);
    }
}
