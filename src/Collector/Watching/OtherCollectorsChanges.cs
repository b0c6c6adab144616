using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Storage.Postgres;

namespace DaemonNet.Collector.Watching;

/// <summary>
/// With collectors that share a PostgreSQL database: brings what the others commit into this
/// collector's change feed, so that a watch on any collector sees every change. Does nothing on
/// a SQLite file, which one collector owns alone.
/// </summary>
public sealed class OtherCollectorsChanges(Store store, ChangeFeed feed, ILogger<OtherCollectorsChanges> log) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (store.Database is not PostgresDatabase shared)
        {
            return Task.CompletedTask;
        }
        return Task.Factory.StartNew(() => shared.ListenForChanges(Deliver, Lost, stoppingToken), stoppingToken,
            TaskCreationOptions.LongRunning, TaskScheduler.Default);
    }

    private void Deliver(byte[] events)
    {
        try
        {
            feed.PublishFromOthers(events);
        }
        catch (System.Text.Json.JsonException e)
        {
            log.LogWarning("Skipped changes another collector logged that do not decode: {Reason}", e.Message);
        }
    }

    private void Lost(Exception e) =>
        log.LogWarning("Lost the connection that hears the other collectors' changes ({Reason}); reconnecting", e.Message);
}
