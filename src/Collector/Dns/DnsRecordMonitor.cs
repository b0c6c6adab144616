using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Dns;

/// <summary>
/// Lists the configured Cloudflare zone's AAAA records at start and every RefreshEvery, and keeps
/// the last listing (or why it failed) for the audit. Does nothing while no zone is configured.
/// </summary>
public sealed class DnsRecordMonitor(IOptions<CollectorOptions> options, TimeProvider time, ILogger<DnsRecordMonitor> log) : BackgroundService
{
    private readonly CloudflareOptions settings = options.Value.Cloudflare;
    private DnsRecords? current;

    /// <summary>The last listing; null while no zone is configured.</summary>
    public DnsRecords? Current => settings.Enabled ? Volatile.Read(ref current) ?? DnsRecords.NotListedYet(settings.ZoneId) : null;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!settings.Enabled)
        {
            return;
        }
        using var client = new CloudflareClient(settings, time);
        using var timer = new PeriodicTimer(settings.RefreshPeriod, time);
        do
        {
            await DaemonNet.Collector.Operations.BackgroundRounds.RunAsync("the Cloudflare zone's records", () => ListAsync(client, stoppingToken), log, stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task ListAsync(CloudflareClient client, CancellationToken stoppingToken)
    {
        var was = Volatile.Read(ref current);
        try
        {
            var records = await client.ListAaaaAsync(stoppingToken);
            Volatile.Write(ref current, new DnsRecords(settings.ZoneId, records, time.GetUtcNow(), null));
            if (was?.Error is not null || was is null)
            {
                log.LogInformation("Listed {Count} AAAA records of Cloudflare zone {Zone}", records.Count, settings.ZoneId);
            }
        }
        catch (CloudflareException e)
        {
            Volatile.Write(ref current, new DnsRecords(settings.ZoneId, null, time.GetUtcNow(), e.Message));
            if (was?.Error != e.Message)
            {
                log.LogWarning("Cannot list Cloudflare zone {Zone}'s AAAA records: {Error}", settings.ZoneId, e.Message);
            }
        }
    }
}
