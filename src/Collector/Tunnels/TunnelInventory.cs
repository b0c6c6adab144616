using System.Net;
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
    public static List<HostTunnels> Build(
        ClusterState state,
        IReadOnlyList<TrafficRow> traffic,
        IReadOnlyDictionary<string, TunnelSettings> settings,
        Func<HostRecord, HostStatus> status,
        long since)
    {
        var rowsByLink = traffic.GroupBy(t => (t.HostId, t.Link)).ToDictionary(g => g.Key, g => (IReadOnlyList<TrafficRow>)g.ToList());
        TrafficSummary Traffic(HostRecord host, string link, bool current) =>
            TrafficWindow.Summarize(rowsByLink.GetValueOrDefault((host.Id, link)) ?? [], since, current);

        var result = new List<HostTunnels>();
        foreach (var host in state.Hosts)
        {
            var hostStatus = status(host);
            var links = state.Links.Where(l => l.HostId == host.Id).ToList();
            var configured = state.Configured.Where(c => c.HostId == host.Id && c.IsTunnel)
                .GroupBy(c => c.Name).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
            var entry = new HostTunnels { Host = hostStatus, ConfigurationError = ConfigurationError(host) };
            entry.NetworkPrefixes.Add(state.Networks.Where(n => n.HostId == host.Id).SelectMany(n => n.Cidrs).Where(IsIpv6).Distinct());

            foreach (var link in links.Where(l => LinkKinds.IsTunnel(l.Kind)))
            {
                var report = new TunnelReport
                {
                    Name = link.Name, Kind = link.Kind, Local = link.TunnelLocal, Remote = link.TunnelRemote, Ttl = (uint)link.TunnelTtl,
                    Operstate = link.Operstate, Mtu = (uint)link.Mtu, Present = true, Traffic = Traffic(host, link.Name, !hostStatus.Stale),
                };
                report.Prefixes.Add(link.Cidrs.Where(IsIpv6));
                if (configured.Remove(link.Name, out var stanza))
                {
                    report.Configured = ToContract(stanza);
                    if (Differs(stanza.Endpoint, link.TunnelRemote) || Differs(stanza.Local, link.TunnelLocal))
                    {
                        report.Drift.Add(TunnelDrift.EndpointDiffers);
                    }
                }
                else if (entry.ConfigurationError.Length == 0)
                {
                    report.Drift.Add(TunnelDrift.Unconfigured);
                }
                entry.Tunnels.Add(WithSettings(report, host.Name, settings));
            }
            foreach (var stanza in configured.Values)
            {
                var report = new TunnelReport
                {
                    Name = stanza.Name, Kind = stanza.Method, Local = stanza.Local, Remote = stanza.Endpoint, Ttl = (uint)stanza.Ttl,
                    Present = false, Configured = ToContract(stanza), Traffic = new TrafficSummary(),
                };
                report.Drift.Add(TunnelDrift.Missing);
                entry.Tunnels.Add(WithSettings(report, host.Name, settings));
            }
            entry.Bridges.Add(links.Where(l => l.Kind == "bridge")
                .Select(l => new LinkTraffic { Name = l.Name, Traffic = Traffic(host, l.Name, !hostStatus.Stale) }));
            result.Add(entry);
        }
        return result;
    }

    private static TunnelReport WithSettings(TunnelReport report, string host, IReadOnlyDictionary<string, TunnelSettings> settings)
    {
        if (settings.TryGetValue($"{host}/{report.Name}", out var setting))
        {
            report.LimitBitsPerSecond = setting.LimitBitsPerSecond;
            report.RoutedPrefix = setting.RoutedPrefix;
        }
        return report;
    }

    private static string ConfigurationError(HostRecord host) =>
        host.SourceErrors.FirstOrDefault(e => e.Source == SourceNames.Interfaces)?.Message ?? "";

    // An endpoint left out of the stanza ("any") is no drift; addresses compare as addresses.
    private static bool Differs(string configured, string actual) =>
        configured.Length > 0 && configured != "any"
        && !(IPAddress.TryParse(configured, out var a) && IPAddress.TryParse(actual, out var b) && a.Equals(b));

    private static bool IsIpv6(string cidr) => cidr.Contains(':') && !cidr.StartsWith("fe80:", StringComparison.OrdinalIgnoreCase);

    private static ConfiguredInterface ToContract(ConfiguredRow row)
    {
        var stanza = new ConfiguredInterface
        {
            Name = row.Name, Family = row.Family, Method = row.Method, Auto = row.Auto != 0, Address = row.Address, Netmask = row.Netmask,
            Endpoint = row.Endpoint, Local = row.Local, Ttl = (uint)row.Ttl, Gateway = row.Gateway, Mode = row.Mode,
            File = row.File, Line = (uint)row.Line,
        };
        stanza.BridgePorts.Add(row.BridgePorts.Split(' ', StringSplitOptions.RemoveEmptyEntries));
        return stanza;
    }
}
