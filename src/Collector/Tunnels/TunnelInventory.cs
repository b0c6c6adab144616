using System.Net;
using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Traffic;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Tunnels;

/// <summary>
/// Per host: its tunnels as the kernel has them, set against the interfaces file (drift) and the
/// collector's settings (limit, routed prefix), with their traffic over a window.
/// </summary>
public static class TunnelInventory
{
    public static List<HostTunnelState> Build(
        ClusterState state,
        IReadOnlyList<TrafficRow> traffic,
        IReadOnlyDictionary<string, TunnelSettings> settings,
        Func<HostRow, bool> silent,
        long since)
    {
        var rowsByLink = traffic.GroupBy(t => (t.HostId, t.Link)).ToDictionary(g => g.Key, g => (IReadOnlyList<TrafficRow>)g.ToList());
        // Grouped by host once: looking each host's rows up in the cluster's lists was quadratic (bench audit).
        var linksByHost = state.Links.ToLookup(l => l.HostId);
        var tunnelStanzasByHost = state.Configured.Where(c => c.IsTunnel).ToLookup(c => c.HostId);
        var networksByHost = state.Networks.ToLookup(n => n.HostId);
        var result = new List<HostTunnelState>();
        foreach (var host in state.Hosts)
        {
            var current = !silent(host);
            TrafficFigures Traffic(string link) => TrafficWindow.Summarize(rowsByLink.GetValueOrDefault((host.Id, link)) ?? [], since, current);
            TunnelSettings Setting(string tunnel) => settings.GetValueOrDefault($"{host.Name}/{tunnel}") ?? new TunnelSettings();

            var links = linksByHost[host.Id].ToList();
            var configured = tunnelStanzasByHost[host.Id]
                .GroupBy(c => c.Name, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var configurationError = host.SourceErrors.FirstOrDefault(e => e.Source == SourceNames.Interfaces)?.Message ?? "";
            var tunnels = new List<Tunnel>();
            foreach (var link in links.Where(l => LinkKinds.IsTunnel(l.Kind)))
            {
                var drift = new List<TunnelDrift>();
                if (configured.Remove(link.Name, out var stanza))
                {
                    if (Differs(stanza.Endpoint, link.TunnelRemote) || Differs(stanza.Local, link.TunnelLocal))
                    {
                        drift.Add(TunnelDrift.EndpointDiffers);
                    }
                }
                else if (configurationError.Length == 0 && host.InterfacesConfigured != 0)
                {
                    drift.Add(TunnelDrift.Unconfigured);
                }
                var setting = Setting(link.Name);
                tunnels.Add(new Tunnel(link.Name, link.Kind, link.TunnelLocal, link.TunnelRemote, link.TunnelTtl, link.Operstate, link.Mtu,
                    Present: true, link.ValidFrom, link.Cidrs.Where(IsIpv6).ToList(), stanza, drift, Traffic(link.Name),
                    setting.LimitBitsPerSecond, setting.RoutedPrefix));
            }
            foreach (var stanza in configured.Values)
            {
                var setting = Setting(stanza.Name);
                tunnels.Add(new Tunnel(stanza.Name, stanza.Method, stanza.Local, stanza.Endpoint, stanza.Ttl, Operstate: "", Mtu: 0,
                    Present: false, Since: 0, [], stanza, [TunnelDrift.Missing], TrafficFigures.None, setting.LimitBitsPerSecond, setting.RoutedPrefix));
            }
            var networkPrefixes = networksByHost[host.Id].SelectMany(n => n.Cidrs).Where(IsIpv6).Distinct(StringComparer.Ordinal).ToList();
            var bridges = links.Where(l => l.Kind == "bridge").Select(l => (l.Name, Traffic(l.Name))).ToList();
            result.Add(new HostTunnelState(host, configurationError, networkPrefixes, tunnels, bridges));
        }
        return result;
    }

    // An endpoint left out of the stanza ("any") is no drift; addresses compare as addresses.
    private static bool Differs(string configured, string actual) =>
        configured.Length > 0 && configured != "any"
        && !(IPAddress.TryParse(configured, out var a) && IPAddress.TryParse(actual, out var b) && a.Equals(b));

    private static bool IsIpv6(string cidr) => IpAddressText.IsIpv6(cidr) && !cidr.StartsWith("fe80:", StringComparison.OrdinalIgnoreCase);
}
