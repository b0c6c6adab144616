using System.Threading.Channels;
using DaemonNet.HostAgent.Sync;
using Grpc.Core;
using Microsoft.Extensions.Time.Testing;

namespace DaemonNet.HostAgent.Tests.Sync;

/// <summary>
/// The sync stream's timing on a fake clock. Every wait that is started is also ended here, by
/// advancing the clock or completing the channel, so that no test can hang on the fake clock.
/// </summary>
public class SyncRoundsTests
{
    private static readonly TimeSpan Interval = TimeSpan.FromSeconds(10);

    private readonly FakeTimeProvider time = new(DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
    private readonly ChangeSignal changes = new();
    private readonly Channel<string> requests = Channel.CreateUnbounded<string>();

    private SyncRounds Rounds() => new(changes, time, Interval);

    [Fact]
    public async Task NextAsync_NothingHappens_EndsAfterExactlyOneInterval()
    {
        var round = Rounds().NextAsync(requests.Reader, CancellationToken.None);

        time.Advance(Interval - TimeSpan.FromMilliseconds(1));
        Assert.False(round.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(1));

        Assert.Equal(RoundCause.Interval, (await round).Cause);
    }

    [Fact]
    public async Task NextAsync_AChange_EndsOnceItsBurstHasSettledAndTheWholeBurstCountsOnce()
    {
        var round = Rounds().NextAsync(requests.Reader, CancellationToken.None);

        changes.Raise();
        changes.Raise();
        changes.Raise();
        // The settling delay starts once the round has seen the change, a moment later in real time:
        // step the fake clock until the round ends, and check that it waited at least the settling time.
        var waited = TimeSpan.Zero;
        while (!round.IsCompleted && waited < Interval / 2)
        {
            await Task.Delay(1);
            time.Advance(TimeSpan.FromMilliseconds(1));
            waited += TimeSpan.FromMilliseconds(1);
            if (waited == SyncRounds.Coalesce / 2)
            {
                changes.Raise();
            }
        }

        Assert.InRange(waited, SyncRounds.Coalesce, Interval / 2 - TimeSpan.FromMilliseconds(1));
        Assert.Equal(RoundCause.Change, (await round).Cause);
        var next = Rounds().NextAsync(requests.Reader, CancellationToken.None);
        time.Advance(Interval);
        Assert.Equal(RoundCause.Interval, (await next).Cause);
    }

    [Fact]
    public async Task NextAsync_TheCollectorAsks_EndsAtOnceWithEveryReason()
    {
        requests.Writer.TryWrite("unknown content hash");
        requests.Writer.TryWrite("collector restarted");

        var round = await Rounds().NextAsync(requests.Reader, CancellationToken.None);

        Assert.Equal(RoundCause.SnapshotRequested, round.Cause);
        Assert.Equal(["unknown content hash", "collector restarted"], round.Reasons);
    }

    [Fact]
    public async Task NextAsync_TheCollectorClosesTheStream_FailsAsUnavailable()
    {
        var round = Rounds().NextAsync(requests.Reader, CancellationToken.None);

        requests.Writer.Complete();

        var failure = await Assert.ThrowsAsync<RpcException>(() => round);
        Assert.Equal(StatusCode.Unavailable, failure.StatusCode);
    }

    [Fact]
    public async Task NextAsync_TheStreamFails_ThrowsItsFailure()
    {
        var round = Rounds().NextAsync(requests.Reader, CancellationToken.None);

        requests.Writer.Complete(new RpcException(new Status(StatusCode.PermissionDenied, "revoked")));

        var failure = await Assert.ThrowsAsync<RpcException>(() => round);
        Assert.Equal(StatusCode.PermissionDenied, failure.StatusCode);
    }
}
