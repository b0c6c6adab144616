using DaemonNet.Protos.V1;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Sources.Leases;

/// <summary>
/// DHCP leases of libvirt's dnsmasq networks, one status file per bridge. A lease whose expiry has
/// passed is left out: dnsmasq leaves it in the file until it next writes it, but it is no longer
/// evidence, and leaving it out changes the snapshot, so that the collector ends its interval when
/// it ran out rather than whenever the host next changes.
/// </summary>
public sealed class DnsmasqLeaseSource(IOptions<AgentOptions> options, TimeProvider time) : ISnapshotSource
{
    public string Name => SourceNames.Leases;

    public async Task CollectAsync(HostSnapshot snapshot, CancellationToken cancellationToken)
    {
        var directory = options.Value.LeasesDir;
        if (!Directory.Exists(directory))
        {
            throw new SourceException($"leases directory {directory} does not exist (set --leases-dir)");
        }
        var now = time.GetUtcNow();
        foreach (var path in Directory.EnumerateFiles(directory, "*.status").Order(StringComparer.Ordinal))
        {
            var text = await File.ReadAllTextAsync(path, cancellationToken);
            snapshot.Leases.Add(DnsmasqStatus.Parse(text, Path.GetFileNameWithoutExtension(path)).Where(l => l.Expiry is null || l.Expiry.ToDateTimeOffset() > now));
        }
    }
}
