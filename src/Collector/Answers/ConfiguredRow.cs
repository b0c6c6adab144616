namespace DaemonNet.Collector.Answers;

/// <summary>An interfaces-file stanza's interval (<see cref="Facts.FactCatalogue.Configured"/>).</summary>
public sealed record ConfiguredRow(long HostId, string Name, string Family, string Method, long Auto, string Address, string Netmask,
    string Endpoint, string Local, long Ttl, string Gateway, string Mode, string BridgePorts, string File, long Line, long ValidFrom, long? ValidTo)
{
    /// <summary>ifupdown's tunnel methods: v4tunnel (6in4, as Hurricane Electric configures it) and tunnel (gre, ipip, ip6ip6, … by mode).</summary>
    public bool IsTunnel => Method is "v4tunnel" or "tunnel" or "6to4";
}
