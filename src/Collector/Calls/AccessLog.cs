using System.Threading.Channels;
using DaemonNet.Collector.Operations;
using DaemonNet.Collector.Storage;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Calls;

/// <summary>
/// The record of who asked: each question is logged at once as one structured line, and stored
/// in batches, every second, off the caller's path. Should the store fall behind, records are
/// dropped (and counted in the log line that says so) rather than slow the questions down.
/// A pass each hour deletes what is older than Collector:AccessLogRetention.
/// </summary>
public sealed class AccessLog(IAccessLogStore store, IOptions<CollectorOptions> options, TimeProvider time, ILogger<AccessLog> log) : BackgroundService
{
    private const int Waiting = 10_000;
    private static readonly TimeSpan FlushEvery = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan PruneEvery = TimeSpan.FromHours(1);

    private readonly Channel<AccessRecord> records = Channel.CreateBounded<AccessRecord>(new BoundedChannelOptions(Waiting) { FullMode = BoundedChannelFullMode.DropWrite });
    private long dropped;

    public void Record(AccessRecord record)
    {
        log.LogInformation("Access {Caller} {Method} {Query} answers={Answers} status={Status} ms={Milliseconds:0.0}",
            record.Caller, record.Method, record.Query, record.Answers, record.Status, record.Milliseconds);
        if (!records.Writer.TryWrite(record))
        {
            Interlocked.Increment(ref dropped);
        }
    }

    protected override Task ExecuteAsync(CancellationToken stoppingToken) => Task.WhenAll(FlushAsync(stoppingToken), PruneAsync(stoppingToken));

    private async Task FlushAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await Task.Delay(FlushEvery, time, stoppingToken);
            var batch = new List<AccessRecord>();
            while (batch.Count < Waiting && records.Reader.TryRead(out var record))
            {
                batch.Add(record);
            }
            if (Interlocked.Exchange(ref dropped, 0) is > 0 and var lost)
            {
                log.LogWarning("Access log: {Dropped} records dropped while the store was behind (their lines above remain)", lost);
            }
            if (batch.Count > 0)
            {
                await BackgroundRounds.RunAsync("the access log", () => store.AppendAsync(batch, stoppingToken), log, stoppingToken);
            }
        }
    }

    private async Task PruneAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            await BackgroundRounds.RunAsync("the access log's retention", async () =>
            {
                var horizon = time.GetUtcNow() - options.Value.AccessLogRetentionDuration;
                if (await store.PruneAsync(horizon, stoppingToken) is > 0 and var removed)
                {
                    log.LogInformation("Access log: removed {Rows} records from before {Horizon:u}", removed, horizon);
                }
            }, log, stoppingToken);
            await Task.Delay(PruneEvery, time, stoppingToken);
        }
    }
}
