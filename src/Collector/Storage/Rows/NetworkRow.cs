namespace DaemonNet.Collector.Storage;

public sealed record NetworkRow(long HostId, string Name, string Bridge, string ForwardMode, long Active, string Addresses, long ValidFrom)
{
    /// <summary>The network's prefixes (192.168.122.1/24, 2001:db8:1::1/64), without the DHCP ranges stored beside them.</summary>
    public IEnumerable<string> Cidrs => Addresses.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("dhcp=", StringComparison.Ordinal));
}
