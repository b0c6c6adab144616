using System.ComponentModel;
using System.Diagnostics;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources.Kernel;

/// <summary>
/// The kernel's links (with tunnel endpoints and traffic counters), addresses and IPv4+IPv6
/// neighbour tables of the network namespace the agent runs in, read in-process over rtnetlink.
/// Should that fail, they are read through iproute2's JSON output instead, and the snapshot says so
/// under the source name <see cref="SourceNames.Rtnetlink"/>, while the kernel's facts still count.
/// </summary>
public sealed class KernelSource : ISnapshotSource
{
    private static readonly TimeSpan CommandTimeout = TimeSpan.FromSeconds(10);

    private static readonly string BootId = File.Exists(BootIdPath) ? File.ReadAllText(BootIdPath).Trim() : "";

    private const string BootIdPath = "/proc/sys/kernel/random/boot_id";

    public string Name => SourceNames.Kernel;

    /// <summary>How the tables are read in-process; tests replace it to see the fallback work.</summary>
    internal Func<KernelTables> ReadInProcess { get; init; } = RtnetlinkSocket.ReadTables;

    public async Task CollectAsync(HostSnapshot snapshot, CancellationToken cancellationToken)
    {
        KernelTables tables;
        try
        {
            tables = ReadInProcess();
        }
        catch (Exception e) when (e is SourceException or FormatException)
        {
            tables = await ReadThroughIpAsync(cancellationToken);
            snapshot.Errors.Add(new SourceError { Source = SourceNames.Rtnetlink, Message = $"{e.Message}; read through ip instead" });
        }
        snapshot.Links.Add(tables.Links);
        snapshot.Counters = new CounterSample { BootId = BootId };
        snapshot.Counters.Links.Add(tables.Counters);
        snapshot.Neighbours.Add(tables.Neighbours);
    }

    private static async Task<KernelTables> ReadThroughIpAsync(CancellationToken cancellationToken)
    {
        var links = await RunIpAsync(["-j", "-s", "-d", "addr", "show"], cancellationToken);
        var neighbours = await RunIpAsync(["-j", "neigh", "show"], cancellationToken);
        return new KernelTables(IpJson.ParseLinks(links), IpJson.ParseCounters(links), IpJson.ParseNeighbours(neighbours));
    }

    private static async Task<string> RunIpAsync(string[] arguments, CancellationToken cancellationToken)
    {
        var start = new ProcessStartInfo("ip")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }
        var command = $"ip {string.Join(' ', arguments)}";
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new SourceException($"cannot start {command}");
        }
        catch (Win32Exception e)
        {
            throw new SourceException($"cannot run {command} (is iproute2 installed?): {e.Message}", e);
        }
        using (process)
        {
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            timeout.CancelAfter(CommandTimeout);
            var output = process.StandardOutput.ReadToEndAsync(timeout.Token);
            var error = process.StandardError.ReadToEndAsync(timeout.Token);
            try
            {
                await process.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                process.Kill(entireProcessTree: true);
                throw new SourceException($"{command} did not finish within {CommandTimeout.TotalSeconds:0} s");
            }
            if (process.ExitCode != 0)
            {
                throw new SourceException($"{command} exited with {process.ExitCode}: {(await error).Trim()}");
            }
            return await output;
        }
    }
}
