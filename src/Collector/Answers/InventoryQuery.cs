using System.Net;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Answers;

public enum QueryKind
{
    Name,
    Uuid,
    Mac,
    Ip,
}

/// <summary>What a <c>where</c> argument is: a MAC, an IP, a domain uuid, or else a VM name. Values are normalised.</summary>
public sealed record InventoryQuery(QueryKind Kind, string Value)
{
    public static InventoryQuery Parse(string text)
    {
        text = text.Trim();
        if (MacAddressText.TryNormalize(text, out var mac))
        {
            return new InventoryQuery(QueryKind.Mac, mac);
        }
        if (Guid.TryParseExact(text, "D", out var uuid))
        {
            return new InventoryQuery(QueryKind.Uuid, uuid.ToString("D"));
        }
        if (IPAddress.TryParse(text, out var ip) && (IpAddressText.IsIpv6(text) || text.Count(c => c == '.') == 3))
        {
            return new InventoryQuery(QueryKind.Ip, ip.ToString());
        }
        return new InventoryQuery(QueryKind.Name, text);
    }
}
