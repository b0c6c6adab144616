using System.Net;
using System.Text.Json;
using DaemonNet.Protos.V1;

namespace DaemonNet.HostAgent.Sources.Kernel;

/// <summary>
/// Parses iproute2's JSON output: <c>ip -j -d addr show</c> for links with their addresses and
/// <c>ip -j neigh show</c> for the IPv4 and IPv6 neighbour tables.
/// </summary>
public static class IpJson
{
    public static List<Link> ParseLinks(string json)
    {
        var links = new List<Link>();
        foreach (var item in ParseArray(json, "ip -j -d addr show"))
        {
            var name = String(item, "ifname");
            if (name.Length == 0)
            {
                throw new FormatException("ip -j -d addr show: a link without \"ifname\"");
            }
            var link = new Link
            {
                Name = name,
                Kind = item.TryGetProperty("linkinfo", out var info) ? String(info, "info_kind") : "",
                Mac = MacAddressText.TryNormalize(String(item, "address"), out var mac) ? mac : "",
                Master = String(item, "master"),
                Operstate = String(item, "operstate"),
                Mtu = item.TryGetProperty("mtu", out var mtu) && mtu.ValueKind == JsonValueKind.Number && mtu.TryGetUInt32(out var m) ? m : 0,
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

    private static IEnumerable<JsonElement> ParseArray(string json, string command)
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

    private static string String(JsonElement element, string property) =>
        element.ValueKind == JsonValueKind.Object
        && element.TryGetProperty(property, out var value)
        && value.ValueKind == JsonValueKind.String
            ? value.GetString() ?? ""
            : "";
}
