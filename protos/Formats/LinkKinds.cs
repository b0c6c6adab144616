namespace DaemonNet.Protos.Formats;

/// <summary>Which kernel link kinds DaemonNet treats as tunnels, and which it keeps traffic counters for.</summary>
public static class LinkKinds
{
    private static readonly HashSet<string> Tunnels = new(StringComparer.Ordinal)
    {
        "sit", "ipip", "gre", "gretap", "ip6gre", "ip6gretap", "ip6tnl", "vti", "vti6", "xfrm",
        "erspan", "ip6erspan", "wireguard", "vxlan", "geneve", "bareudp",
    };

    public static bool IsTunnel(string kind) => Tunnels.Contains(kind);

    /// <summary>Tunnels and bridges: where a host's traffic to the world and to its VMs passes.</summary>
    public static bool IsCounted(string kind) => IsTunnel(kind) || kind == "bridge";
}
