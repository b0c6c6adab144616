using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Operations;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Names;

/// <summary>
/// Keeps the names of the VMs' current addresses fresh, away from ingest and from the questions:
/// every <see cref="NameOptions.RefreshEvery"/> it looks up the addresses whose name is missing or
/// past its TTL, at most <see cref="NameOptions.LookupsPerSecond"/> queries a second.
/// </summary>
public sealed class NameRefresher(AddressNames names, IWhereReader where, TimeProvider time, IOptions<CollectorOptions> options, ILogger<NameRefresher> log)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!names.CanResolve)
        {
            log.LogInformation("Addresses are not named through DNS: names are off, or {ResolvConf} names no server", options.Value.Names.ResolvConf);
            return;
        }
        var settings = options.Value.Names;
        var gap = TimeSpan.FromSeconds(1.0 / settings.LookupsPerSecond);
        using var timer = new PeriodicTimer(settings.RefreshPeriod, time);
        do
        {
            await BackgroundRounds.RunAsync("the names of the VMs' addresses", () => RefreshAsync(gap, stoppingToken), log, stoppingToken);
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    private async Task RefreshAsync(TimeSpan gap, CancellationToken cancellationToken)
    {
        var vms = await where.ListVmsAsync(null, time.GetUtcNow(), cancellationToken);
        var due = vms.SelectMany(vm => vm.Nics).SelectMany(n => n.Addresses).Select(a => a.Ip)
            .Distinct(StringComparer.Ordinal).Where(names.IsDue).ToList();
        foreach (var ip in due)
        {
            var queries = await names.LookUpAsync(ip, cancellationToken);
            await Task.Delay(gap * queries, time, cancellationToken);
        }
    }
}
