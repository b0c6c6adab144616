using System.Text.Json;

namespace DaemonNet.Tests.Support;

/// <summary>Writes a lease status file the way libvirt's leaseshelper does.</summary>
public static class DnsmasqStatusFile
{
    public static void Write(string directory, string bridge, params (string Ip, string Mac, string Hostname, DateTimeOffset Expiry)[] leases)
    {
        var entries = leases.Select(l => new Dictionary<string, object>(StringComparer.Ordinal)
        {
            ["ip-address"] = l.Ip,
            ["mac-address"] = l.Mac,
            ["hostname"] = l.Hostname,
            ["expiry-time"] = l.Expiry.ToUnixTimeSeconds(),
        });
        var path = Path.Combine(directory, bridge + ".status");
        File.WriteAllText(path + ".new", JsonSerializer.Serialize(entries));
        File.Move(path + ".new", path, overwrite: true);
    }
}
