namespace DaemonNet.Collector.Storage;

public sealed record LinkRow(long HostId, string Name, string Kind, string Operstate, long Mtu, string Addresses,
    string TunnelLocal, string TunnelRemote, long TunnelTtl, long ValidFrom)
{
    public IEnumerable<string> Cidrs => Addresses.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
