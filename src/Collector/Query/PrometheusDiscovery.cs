using System.Globalization;
using System.Text.Json;
using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Calls;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Query;

/// <summary>
/// <c>GET /v1/sd/prometheus</c>: the running VMs as Prometheus HTTP service discovery targets
/// (http_sd_configs), one target group per VM at its best-evidenced address (IPv4 first) and
/// <c>?port=</c> (9100, node_exporter's, unless given), with <c>__meta_daemonnet_*</c> labels.
/// <c>?network=</c> and <c>?host=</c> narrow it. Served to readers, and to all under open reads.
/// </summary>
public static class PrometheusDiscovery
{
    public const string Path = "/v1/sd/prometheus";

    public const int DefaultPort = 9100;

    public static void Map(WebApplication app, CollectorOptions settings) =>
        app.MapGet(Path, async (HttpContext context, IWhereReader where, TimeProvider time) =>
        {
            if (ReaderAccess.Refusal(context, settings, Path) is { } refusal)
            {
                return refusal;
            }
            var query = context.Request.Query;
            var port = DefaultPort;
            if (query["port"].ToString() is { Length: > 0 } portText
                && (!int.TryParse(portText, NumberStyles.None, CultureInfo.InvariantCulture, out port) || port is < 1 or > 65_535))
            {
                return Results.Text($"port '{portText}' is not a TCP port (1-65535)\n", statusCode: StatusCodes.Status400BadRequest);
            }
            var host = query["host"].ToString();
            var network = query["network"].ToString();
            var vms = await where.ListVmsAsync(host.Length > 0 ? host : null, time.GetUtcNow(), context.RequestAborted);
            var targets = vms.Where(vm => DomainStates.IsAlive(vm.Domain.State)).Select(vm => Target(vm, network)).OfType<DiscoveredTarget>();
            return Results.Bytes(Write(targets, port), "application/json");
        }).WithName("PrometheusServiceDiscovery")
            .WithSummary("The running VMs as Prometheus http_sd targets; query: port (default 9100), network, host")
            .Produces(StatusCodes.Status200OK, contentType: "application/json")
            .Produces(StatusCodes.Status400BadRequest, contentType: "text/plain")
            .Produces(StatusCodes.Status403Forbidden, contentType: "text/plain");

    private sealed record DiscoveredTarget(LocatedVm Vm, NicRow Nic, BindingRow Address);

    // The VM's best address on the network asked for (any when none was): IPv4 before IPv6, then by evidence.
    private static DiscoveredTarget? Target(LocatedVm vm, string network) =>
        vm.Nics.Where(n => network.Length == 0 || NetworkOf(n.Nic) == network)
            .SelectMany(n => n.Addresses.Select((a, rank) => (Target: new DiscoveredTarget(vm, n.Nic, a), Rank: rank)))
            .OrderBy(c => IpAddressText.IsIpv6(c.Target.Address.Ip) ? 1 : 0)
            .ThenBy(c => c.Rank)
            .Select(c => c.Target)
            .FirstOrDefault();

    private static string NetworkOf(NicRow nic) => NicNetworks.NameOf(nic.Network, nic.Bridge);

    private static byte[] Write(IEnumerable<DiscoveredTarget> targets, int port)
    {
        using var buffer = new MemoryStream();
        using (var json = new Utf8JsonWriter(buffer))
        {
            json.WriteStartArray();
            foreach (var (vm, nic, address) in targets)
            {
                json.WriteStartObject();
                json.WriteStartArray("targets");
                json.WriteStringValue(IpAddressText.IsIpv6(address.Ip) ? $"[{address.Ip}]:{port}" : $"{address.Ip}:{port}");
                json.WriteEndArray();
                json.WriteStartObject("labels");
                json.WriteString("__meta_daemonnet_vm", vm.Domain.Name);
                json.WriteString("__meta_daemonnet_uuid", vm.Domain.Uuid);
                json.WriteString("__meta_daemonnet_host", vm.Host.Name);
                json.WriteString("__meta_daemonnet_network", NetworkOf(nic));
                json.WriteString("__meta_daemonnet_mac", nic.Mac);
                json.WriteString("__meta_daemonnet_state", DomainStates.Describe((DomainState)vm.Domain.State));
                json.WriteString("__meta_daemonnet_owner", vm.Labels?.Owner ?? "");
                // As Prometheus's own discoveries list tags: ",web,db," so that a regex can match ",web,".
                json.WriteString("__meta_daemonnet_tags", vm.Labels is { TagList.Count: > 0 } labels ? $",{string.Join(',', labels.TagList)}," : "");
                json.WriteString("__meta_daemonnet_address_source", address.Words);
                json.WriteEndObject();
                json.WriteEndObject();
            }
            json.WriteEndArray();
        }
        return buffer.ToArray();
    }
}
