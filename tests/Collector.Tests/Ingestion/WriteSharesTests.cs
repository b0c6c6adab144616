using System.Diagnostics;
using DaemonNet.Collector.Ingestion;

namespace DaemonNet.Collector.Tests.Ingestion;

public class WriteSharesTests
{
    [Fact]
    public async Task WriteAsync_AfterAHeavyWrite_TheHostRestsThreeTimesAsLong()
    {
        var shares = new WriteShares();
        await shares.WriteAsync("daemon1", () => Task.FromResult(TimeSpan.FromMilliseconds(200)), CancellationToken.None);
        var clock = Stopwatch.StartNew();

        await shares.WriteAsync("daemon1", () => Task.FromResult(TimeSpan.FromMilliseconds(200)), CancellationToken.None);

        Assert.True(clock.Elapsed >= TimeSpan.FromMilliseconds(WriteShares.RestPerWrite * 200 - 20), $"rested only {clock.Elapsed.TotalMilliseconds:0} ms");
    }

    [Fact]
    public async Task WriteAsync_OneHostsWrites_NeverOverlap_OtherHostsDoNotWaitForItsRest()
    {
        var shares = new WriteShares();
        var inside = 0;
        var most = 0;
        async Task<TimeSpan> Write()
        {
            most = Math.Max(most, Interlocked.Increment(ref inside));
            await Task.Delay(10);
            Interlocked.Decrement(ref inside);
            return TimeSpan.FromMilliseconds(1);
        }
        await shares.WriteAsync("daemon1", () => Task.FromResult(TimeSpan.FromMinutes(1)), CancellationToken.None);

        await Task.WhenAll(Enumerable.Range(0, 8).Select(_ => shares.WriteAsync("daemon2", Write, CancellationToken.None))).WaitAsync(TimeSpan.FromSeconds(30));

        Assert.Equal(1, most);
    }

    [Fact]
    public async Task WriteAsync_Resting_EndsWhenTheStreamIsCancelled()
    {
        var shares = new WriteShares();
        await shares.WriteAsync("daemon1", () => Task.FromResult(TimeSpan.FromMinutes(1)), CancellationToken.None);
        using var gone = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => shares.WriteAsync("daemon1", () => Task.FromResult(TimeSpan.Zero), gone.Token));
    }
}
