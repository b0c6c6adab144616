using System.Net;
using System.Runtime.InteropServices;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources.Kernel;

/// <summary>
/// A tunnel's outer endpoints from its IFLA_INFO_DATA, whose attribute numbers depend on the kind
/// (linux/if_tunnel.h, linux/if_link.h). An unset ("any") address is empty, as <see cref="IpJson"/>
/// reads it; a kind without endpoints (wireguard, xfrm) has empty ones.
/// </summary>
internal static class RtnetlinkTunnels
{
    [StructLayout(LayoutKind.Auto)]
    private readonly record struct Numbers(ushort Local, ushort Remote, ushort Ttl, ushort Remote6 = 0, ushort Local6 = 0);

    private static readonly Numbers IpTunnel = new(Local: 2, Remote: 3, Ttl: 4);
    private static readonly Numbers Gre = new(Local: 6, Remote: 7, Ttl: 8);
    private static readonly Numbers Vti = new(Local: 4, Remote: 5, Ttl: 0);
    private static readonly Numbers Vxlan = new(Local: 4, Remote: 2, Ttl: 5, Remote6: 16, Local6: 17);
    private static readonly Numbers Geneve = new(Local: 0, Remote: 2, Ttl: 3, Remote6: 7);

    public static TunnelEndpoints Read(string kind, ReadOnlySpan<byte> data)
    {
        Numbers? numbers = kind switch
        {
            "sit" or "ipip" or "ip6tnl" => IpTunnel,
            "gre" or "gretap" or "ip6gre" or "ip6gretap" or "erspan" or "ip6erspan" => Gre,
            "vti" or "vti6" => Vti,
            "vxlan" => Vxlan,
            "geneve" => Geneve,
            _ => null,
        };
        var endpoints = new TunnelEndpoints();
        if (numbers is not { } n)
        {
            return endpoints;
        }
        var what = $"RTM_NEWLINK {kind} IFLA_INFO_DATA";
        var attributes = new Attributes(data, what);
        while (attributes.Next())
        {
            var type = attributes.Type;
            if (type == n.Local || (n.Local6 != 0 && type == n.Local6))
            {
                endpoints.Local = Address(attributes.Value, what);
            }
            else if (type == n.Remote || (n.Remote6 != 0 && type == n.Remote6))
            {
                endpoints.Remote = Address(attributes.Value, what);
            }
            else if (n.Ttl != 0 && type == n.Ttl && attributes.Value.Length >= 1)
            {
                endpoints.Ttl = attributes.Value[0];
            }
        }
        return endpoints;
    }

    private static string Address(ReadOnlySpan<byte> value, string what)
    {
        var address = RtnetlinkMessages.Ip(value, what, "an endpoint");
        return address.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any) ? "" : address.ToString();
    }
}
