namespace DaemonNet.Protos.Formats;

/// <summary>What an address in the contract's text says about itself.</summary>
public static class IpAddressText
{
    /// <summary>Whether the address (or prefix) is IPv6: only IPv6 text holds a colon.</summary>
    public static bool IsIpv6(string ip) => ip.Contains(':', StringComparison.Ordinal);
}
