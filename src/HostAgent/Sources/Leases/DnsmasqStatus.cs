using System.Net;
using System.Text.Json;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.HostAgent.Sources.Leases;

/// <summary>
/// Parses libvirt's dnsmasq lease status file (<c>/var/lib/libvirt/dnsmasq/&lt;bridge&gt;.status</c>):
/// a JSON array of objects with <c>ip-address</c>, <c>mac-address</c>, <c>hostname</c>,
/// <c>client-id</c> and <c>expiry-time</c> (seconds since the epoch; 0 for a lease that never
/// expires, as <c>&lt;lease expiry='0'/&gt;</c> gives). libvirt writes an empty file when a network has no leases.
/// </summary>
public static class DnsmasqStatus
{
    public static List<Lease> Parse(string json, string bridge)
    {
        var leases = new List<Lease>();
        if (string.IsNullOrWhiteSpace(json))
        {
            return leases;
        }
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException e)
        {
            throw new FormatException($"{bridge}.status is not JSON: {e.Message}", e);
        }
        using (document)
        {
            if (document.RootElement.ValueKind != JsonValueKind.Array)
            {
                throw new FormatException($"{bridge}.status: expected a JSON array, found {document.RootElement.ValueKind}");
            }
            var index = 0;
            foreach (var entry in document.RootElement.EnumerateArray())
            {
                leases.Add(ParseEntry(entry, bridge, index++));
            }
        }
        return leases;
    }

    private static Lease ParseEntry(JsonElement entry, string bridge, int index)
    {
        var where = $"{bridge}.status entry {index}";
        if (entry.ValueKind != JsonValueKind.Object)
        {
            throw new FormatException($"{where}: expected an object, found {entry.ValueKind}");
        }
        var ipText = String(entry, "ip-address");
        if (!IPAddress.TryParse(ipText, out var ip))
        {
            throw new FormatException($"{where}: \"ip-address\" '{ipText}' is not an IP address");
        }
        var macText = String(entry, "mac-address");
        if (!MacAddressText.TryNormalize(macText, out var mac))
        {
            throw new FormatException($"{where}: \"mac-address\" '{macText}' is not a MAC address");
        }
        if (!entry.TryGetProperty("expiry-time", out var expiry) || !expiry.TryGetInt64(out var expirySeconds)
            || expirySeconds < 0 || expirySeconds > DateTimeOffset.MaxValue.ToUnixTimeSeconds())
        {
            throw new FormatException($"{where}: \"expiry-time\" must be seconds since the epoch");
        }
        return new Lease
        {
            Ip = ip.ToString(),
            Mac = mac,
            Hostname = String(entry, "hostname"),
            ClientId = String(entry, "client-id"),
            Expiry = expirySeconds == 0 ? null : Timestamp.FromDateTimeOffset(DateTimeOffset.FromUnixTimeSeconds(expirySeconds)),
            Bridge = bridge,
        };
    }

    private static string String(JsonElement element, string property) =>
        element.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String
            ? value.GetString() ?? ""
            : "";
}
