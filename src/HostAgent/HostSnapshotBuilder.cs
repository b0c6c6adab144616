using System.Reflection;
using DaemonNet.HostAgent.Sources;
using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using Google.Protobuf.WellKnownTypes;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent;

/// <summary>
/// Runs every source into one snapshot. Each source fills a scratch snapshot of its own, so a
/// source that fails half-way adds nothing but its error. Lists are sorted so that equal content
/// gives an equal content hash. A source that starts failing, or recovers, is logged once.
/// </summary>
public sealed class HostSnapshotBuilder(IEnumerable<ISnapshotSource> sources, MonitorErrors monitors, IOptions<AgentOptions> options, TimeProvider time,
    ILogger<HostSnapshotBuilder> log)
{
    private readonly SourceHealth health = new();

    private static readonly string AgentVersion =
        typeof(HostSnapshotBuilder).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion.Split('+')[0] ?? "unknown";

    private readonly HostIdentity identity = new()
    {
        Name = options.Value.EffectiveHostName,
        MachineId = ReadFirstLine("/etc/machine-id"),
        AgentVersion = AgentVersion,
        Kernel = ReadFirstLine("/proc/sys/kernel/osrelease"),
    };

    public async Task<HostSnapshot> BuildAsync(CancellationToken cancellationToken)
    {
        var snapshot = new HostSnapshot
        {
            Host = identity.Clone(),
            Interval = Duration.FromTimeSpan(options.Value.IntervalDuration),
        };
        foreach (var source in sources)
        {
            var part = new HostSnapshot();
            try
            {
                await source.CollectAsync(part, cancellationToken);
                snapshot.MergeFrom(part);
            }
            catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
            {
                snapshot.Errors.Add(new SourceError { Source = source.Name, Message = OneLine(e.Message) });
            }
        }
        snapshot.Errors.Add(monitors.Current);
        KeepOnlyVmsOnTheWire(snapshot);
        SortLists(snapshot);
        snapshot.AgentTime = Timestamp.FromDateTimeOffset(time.GetUtcNow());
        foreach (var change in health.Observe(snapshot.Errors))
        {
            if (change.Error is null)
            {
                log.LogInformation("Source {Source} recovered", change.Source);
            }
            else
            {
                log.LogWarning("Source {Source} fails: {Error}; the other sources still report", change.Source, change.Error);
            }
        }
        return snapshot;
    }

    /// <summary>
    /// Capture hears every station on a bridge (the LAN's printers, the host itself): only the
    /// announcements of this host's VMs' MACs are reported.
    /// </summary>
    private static void KeepOnlyVmsOnTheWire(HostSnapshot snapshot)
    {
        var vmMacs = snapshot.Domains.SelectMany(d => d.Nics).Select(n => n.Mac).ToHashSet(StringComparer.Ordinal);
        var kept = snapshot.Captured.Where(c => vmMacs.Contains(c.Mac)).ToList();
        snapshot.Captured.Clear();
        snapshot.Captured.Add(kept);
    }

    /// <summary>
    /// An error as the contract bounds it: one line of at most MaxErrorLength characters. Messages
    /// from libraries may span lines, and a refused snapshot would lose every other source's facts.
    /// </summary>
    public static string OneLine(string message)
    {
        var line = string.Join(' ', message.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)
            .Select(word => new string(word.Select(c => char.IsControl(c) ? '?' : c).ToArray())));
        return line.Length <= MaxErrorLength ? line : line[..(MaxErrorLength - 1)] + "…";
    }

    private static readonly int MaxErrorLength = WireLimits.Of("SourceError.message").MaxLength;

    /// <summary>
    /// Puts every list of the snapshot in one order, so that equal content has an equal content
    /// hash whatever order the sources listed it in. A test checks every list of the contract.
    /// </summary>
    public static void SortLists(HostSnapshot snapshot)
    {
        Reorder(snapshot.Domains, d => d.Uuid);
        Reorder(snapshot.Networks, n => n.Name);
        Reorder(snapshot.Links, l => l.Name);
        Reorder(snapshot.Neighbours, n => $"{n.Device}\n{n.Ip}\n{n.Mac}");
        Reorder(snapshot.Leases, l => $"{l.Bridge}\n{l.Ip}\n{l.Mac}");
        Reorder(snapshot.GuestAddresses, a => $"{a.Mac}\n{a.Ip}\n{a.Interface}");
        Reorder(snapshot.Captured, c => $"{c.Mac}\n{c.Ip}\n{c.Device}");
        Reorder(snapshot.Errors, e => e.Source);
        Reorder(snapshot.Configured, c => $"{c.Name}\n{c.Family}");
        if (snapshot.Counters is { } counters)
        {
            Reorder(counters.Links, l => l.Link);
        }
    }

    private static void Reorder<T>(Google.Protobuf.Collections.RepeatedField<T> items, Func<T, string> key)
    {
        var sorted = items.OrderBy(key, StringComparer.Ordinal).ToList();
        items.Clear();
        items.Add(sorted);
    }

    private static string ReadFirstLine(string path)
    {
        try
        {
            return File.ReadLines(path).FirstOrDefault()?.Trim() ?? "";
        }
        catch (IOException)
        {
            return "";
        }
        catch (UnauthorizedAccessException)
        {
            return "";
        }
    }
}
