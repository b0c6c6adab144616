using DaemonNet.Protos.V1;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Sources.Leases;

/// <summary>DHCP leases of libvirt's dnsmasq networks, one status file per bridge.</summary>
public sealed class DnsmasqLeaseSource(IOptions<AgentOptions> options) : ISnapshotSource
{
    public string Name => SourceNames.Leases;

    public async Task CollectAsync(HostSnapshot snapshot, CancellationToken cancellationToken)
    {
        var directory = options.Value.LeasesDir;
        if (!Directory.Exists(directory))
        {
            throw new SourceException($"leases directory {directory} does not exist (set --leases-dir)");
        }
        foreach (var path in Directory.EnumerateFiles(directory, "*.status").Order(StringComparer.Ordinal))
        {
            var text = await File.ReadAllTextAsync(path, cancellationToken);
            snapshot.Leases.Add(DnsmasqStatus.Parse(text, Path.GetFileNameWithoutExtension(path)));
        }
    }
}
