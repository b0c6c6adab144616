namespace DaemonNet.Collector.Operations;

/// <summary>
/// One round of a background loop (the staleness monitor, retention, the DNS monitor, alerting):
/// a failure is logged and the loop goes on to its next round. A BackgroundService that throws
/// stops the whole collector by default; a database that is briefly away (PostgreSQL restarting)
/// must not do that from a loop. Only the writer's loss stops the collector, on purpose.
/// </summary>
public static class BackgroundRounds
{
    public static async Task RunAsync(string what, Func<Task> round, ILogger log, CancellationToken stoppingToken)
    {
        try
        {
            await round();
        }
        catch (Exception e) when (!stoppingToken.IsCancellationRequested)
        {
            log.LogWarning("Failed to work out {What} ({Reason}); the next round tries again", what, e.Message);
        }
    }
}
