using System.Net;
using System.Text.Json;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources.Kernel;

/// <summary>
/// Parses iproute2's JSON output: <c>ip -j -s -d addr show</c> for links with their addresses,
/// tunnel endpoints and traffic counters, and <c>ip -j neigh show</c> for the IPv4 and IPv6
/// neighbour tables.
/// </summary>
public static class IpJson
{
    public static List<Link> ParseLinks(string json)
    {
        var links = new List<Link>();
        foreach (var item in ParseArray(json, LinksCommand))
        {
            var name = LinkName(item);
            var kind = Kind(item);
            var link = new Link
            {
                Name = name,
                Kind = kind,
                Mac = MacAddressText.TryNormalize(String(item, "address"), out var mac) ? mac : "",
                Master = String(item, "master"),
                Operstate = String(item, "operstate"),
                Mtu = UInt32(item, "mtu"),
                Tunnel = LinkKinds.IsTunnel(kind) ? Endpoints(item) : null,
            };
            if (item.TryGetProperty("addr_info", out var addresses) && addresses.ValueKind == JsonValueKind.Array)
            {
                foreach (var address in addresses.EnumerateArray())
                {
                    var local = String(address, "local");
                    if (IPAddress.TryParse(local, out _) && address.TryGetProperty("prefixlen", out var prefix)
                        && prefix.ValueKind == JsonValueKind.Number && prefix.TryGetInt32(out var length))
                    {
                        link.Addresses.Add($"{local}/{length}");
                    }
                }
            }
            links.Add(link);
        }
        return links;
    }

    /// <summary>The counters of tunnels and bridges, from the same output as <see cref="ParseLinks"/>.</summary>
    public static List<LinkCounters> ParseCounters(string json)
    {
        var counters = new List<LinkCounters>();
        foreach (var item in ParseArray(json, LinksCommand))
        {
            if (!LinkKinds.IsCounted(Kind(item)) || !item.TryGetProperty("stats64", out var stats) || stats.ValueKind != JsonValueKind.Object)
            {
                continue;
            }
            var rx = stats.TryGetProperty("rx", out var r) ? r : default;
            var tx = stats.TryGetProperty("tx", out var t) ? t : default;
            counters.Add(new LinkCounters
            {
                Link = LinkName(item),
                Ifindex = UInt32(item, "ifindex"),
                RxBytes = UInt64(rx, "bytes"),
                TxBytes = UInt64(tx, "bytes"),
                RxPackets = UInt64(rx, "packets"),
                TxPackets = UInt64(tx, "packets"),
            });
        }
        return counters;
    }

    private const string LinksCommand = "ip -j -s -d addr show";

    private static string LinkName(JsonElement item)
    {
        var name = String(item, "ifname");
        return name.Length > 0 ? name : throw new FormatException($"{LinksCommand}: a link without \"ifname\"");
    }

    private static string Kind(JsonElement item) => item.TryGetProperty("linkinfo", out var info) ? String(info, "info_kind") : "";

    // iproute2 prints "local"/"remote" for sit, ipip, gre and ip6tnl alike, "any" when unset; a
    // multicast vxlan has a "group" instead of a remote.
    private static TunnelEndpoints Endpoints(JsonElement item)
    {
        var data = item.TryGetProperty("linkinfo", out var info) && info.ValueKind == JsonValueKind.Object
            && info.TryGetProperty("info_data", out var d) ? d : default;
        static string Address(JsonElement data, string property) =>
            IPAddress.TryParse(String(data, property), out var address) ? address.ToString() : "";
        var remote = Address(data, "remote");
        return new TunnelEndpoints
        {
            Local = Address(data, "local"),
            Remote = remote.Length > 0 ? remote : Address(data, "group"),
            Ttl = UInt32(data, "ttl"),
        };
    }

    public static List<Neighbour> ParseNeighbours(string json)
    {
        var neighbours = new List<Neighbour>();
        foreach (var item in ParseArray(json, "ip -j neigh show"))
        {
            var ip = String(item, "dst");
            if (!IPAddress.TryParse(ip, out var address))
            {
                throw new FormatException($"ip -j neigh show: \"dst\" '{ip}' is not an IP address");
            }
            neighbours.Add(new Neighbour
            {
                Ip = address.ToString(),
                Mac = MacAddressText.TryNormalize(String(item, "lladdr"), out var mac) ? mac : "",
                Device = String(item, "dev"),
                State = item.TryGetProperty("state", out var states) ? ParseState(states) : NeighbourState.Unspecified,
            });
        }
        return neighbours;
    }

    // "state" is an array such as ["REACHABLE"]; the first state the contract knows wins.
    private static NeighbourState ParseState(JsonElement states)
    {
        if (states.ValueKind != JsonValueKind.Array)
        {
            return NeighbourState.Unspecified;
        }
        foreach (var state in states.EnumerateArray().Where(s => s.ValueKind == JsonValueKind.String))
        {
            var parsed = state.GetString() switch
            {
                "REACHABLE" => NeighbourState.Reachable,
                "STALE" => NeighbourState.Stale,
                "DELAY" => NeighbourState.Delay,
                "PROBE" => NeighbourState.Probe,
                "PERMANENT" => NeighbourState.Permanent,
                "NOARP" => NeighbourState.Noarp,
                "FAILED" => NeighbourState.Failed,
                "INCOMPLETE" => NeighbourState.Incomplete,
                _ => NeighbourState.Unspecified,
            };
            if (parsed != NeighbourState.Unspecified)
            {
                return parsed;
            }
        }
        return NeighbourState.Unspecified;
    }

    private static List<JsonElement> ParseArray(string json, string command)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json.Length == 0 ? "[]" : json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{command}: output is not JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{command}: expected a JSON array, found {document.RootElement.ValueKind}");
            }
            return document.RootElement.EnumerateArray().Select(e => e.Clone()).ToList();
        }
    }

    private static uint UInt32(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
        && value.ValueKind == JsonValueKind.Number && value.TryGetUInt32(out var number) ? number : 0;

    private static ulong UInt64(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object && element.TryGetProperty(property, out var value)
        && value.ValueKind == JsonValueKind.Number && value.TryGetUInt64(out var number) ? number : 0;

    private static string String(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(property, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString() ?? ""
            : "";
}
