using System.Net;
using System.Numerics;
using System.Xml.Linq;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources.Libvirt;

/// <summary>
/// Reads a libvirt network's XML (virsh net-dumpxml): name, uuid, bridge, forward mode and each
/// &lt;ip&gt; with its DHCP ranges. Whether it is active comes from the API.
/// </summary>
public static class NetworkXml
{
    public static Network Parse(string xml)
    {
        var root = DomainXml.LoadRoot(xml, "network");
        var forward = root.Element("forward");
        var network = new Network
        {
            Name = DomainXml.Required(root, "name"),
            Uuid = root.Element("uuid")?.Value.Trim().ToLowerInvariant() ?? "",
            Bridge = root.Element("bridge")?.Attribute("name")?.Value ?? "",
            // libvirt's default for <forward/> without a mode is nat; no <forward> means isolated.
            ForwardMode = forward is null ? "" : forward.Attribute("mode")?.Value ?? "nat",
        };
        foreach (var ip in root.Elements("ip"))
        {
            network.Addresses.Add(ParseIp(ip, network.Name));
        }
        return network;
    }

    private static NetworkAddress ParseIp(XElement ip, string networkName)
    {
        var addressText = ip.Attribute("address")?.Value;
        if (!IPAddress.TryParse(addressText, out var address))
        {
            throw new FormatException($"network {networkName}: <ip address='{addressText}'> is not an IP address");
        }
        var result = new NetworkAddress { Cidr = $"{address}/{PrefixLength(ip, address, networkName)}" };
        foreach (var range in ip.Element("dhcp")?.Elements("range") ?? [])
        {
            result.DhcpRanges.Add(new DhcpRange
            {
                Start = range.Attribute("start")?.Value ?? "",
                End = range.Attribute("end")?.Value ?? "",
            });
        }
        return result;
    }

    private static int PrefixLength(XElement ip, IPAddress address, string networkName)
    {
        if (int.TryParse(ip.Attribute("prefix")?.Value, System.Globalization.CultureInfo.InvariantCulture, out var prefix))
        {
            return prefix;
        }
        var netmask = ip.Attribute("netmask")?.Value;
        if (netmask is not null)
        {
            if (!IPAddress.TryParse(netmask, out var mask))
            {
                throw new FormatException($"network {networkName}: netmask '{netmask}' is not an address");
            }
            return mask.GetAddressBytes().Sum(b => BitOperations.PopCount(b));
        }
        // libvirt's defaults when neither is given.
        return address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? 64 : 24;
    }

    /// <summary>Each network's bridge, by network name.</summary>
    internal static IReadOnlyDictionary<string, string> BridgesOf(IEnumerable<NetworkDescription> networks) =>
        networks.Select(n => Parse(n.Xml)).ToDictionary(n => n.Name, n => n.Bridge, StringComparer.Ordinal);

    /// <summary>The bridge a NIC is on: its own, or, since inactive domain XML names only the network, the network's.</summary>
    public static string BridgeOf(Nic nic, IReadOnlyDictionary<string, string> bridgeOfNetwork) =>
        nic.Bridge.Length > 0 ? nic.Bridge : bridgeOfNetwork.GetValueOrDefault(nic.Network, "");
}
