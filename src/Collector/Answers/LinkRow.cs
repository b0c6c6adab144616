namespace DaemonNet.Collector.Answers;

/// <summary>A kernel link's interval (<see cref="Facts.FactCatalogue.Links"/>).</summary>
public sealed record LinkRow(long HostId, string Name, string Kind, string Mac, string Master, string Operstate, long Mtu, string Addresses,
    string TunnelLocal, string TunnelRemote, long TunnelTtl, long ValidFrom, long? ValidTo)
{
    public IEnumerable<string> Cidrs => Addresses.Split(' ', StringSplitOptions.RemoveEmptyEntries);
}
