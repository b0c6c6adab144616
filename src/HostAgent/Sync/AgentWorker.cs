using Microsoft.Extensions.Hosting;

namespace DaemonNet.HostAgent.Sync;

/// <summary>Runs the sync loop for the lifetime of the agent process.</summary>
public sealed class AgentWorker(SyncLoop loop) : BackgroundService
{
    protected override Task ExecuteAsync(CancellationToken stoppingToken) => loop.RunAsync(stoppingToken);
}
