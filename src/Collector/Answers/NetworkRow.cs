namespace DaemonNet.Collector.Answers;

/// <summary>A libvirt network's interval (<see cref="Facts.FactCatalogue.Networks"/>).</summary>
public sealed record NetworkRow(long HostId, string Name, string Uuid, string Bridge, string ForwardMode, long Active, string Addresses, long ValidFrom, long? ValidTo)
{
    /// <summary>The network's prefixes (192.168.122.1/24, 2001:db8:1::1/64), without the DHCP ranges stored beside them.</summary>
    public IEnumerable<string> Cidrs => Addresses.Split(' ', StringSplitOptions.RemoveEmptyEntries).Where(a => !a.StartsWith("dhcp=", StringComparison.Ordinal));
}
