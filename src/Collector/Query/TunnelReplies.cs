using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Traffic;
using DaemonNet.Collector.Tunnels;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Collector.Query;

/// <summary>The tunnels command's answer in the contract's terms.</summary>
public static class TunnelReplies
{
    public static HostTunnels ToContract(HostTunnelState state, HostStatus status)
    {
        var host = new HostTunnels
        {
            Host = status, ConfigurationError = state.ConfigurationError, InterfacesNotConfigured = state.Host.InterfacesConfigured == 0,
        };
        host.NetworkPrefixes.Add(state.NetworkPrefixes);
        host.Tunnels.Add(state.Tunnels.Select(ToContract));
        host.Bridges.Add(state.Bridges.Select(b => new LinkTraffic { Name = b.Bridge, Traffic = ToContract(b.Traffic) }));
        return host;
    }

    private static TunnelReport ToContract(Tunnel tunnel)
    {
        var report = new TunnelReport
        {
            Name = tunnel.Name, Kind = tunnel.Kind, Local = tunnel.Local, Remote = tunnel.Remote, Ttl = (uint)tunnel.Ttl,
            Operstate = tunnel.Operstate, Mtu = (uint)tunnel.Mtu, Present = tunnel.Present, Traffic = ToContract(tunnel.Traffic),
            Configured = tunnel.Configured is { } stanza ? ToContract(stanza) : null,
            LimitBitsPerSecond = tunnel.LimitBitsPerSecond, RoutedPrefix = tunnel.RoutedPrefix,
        };
        report.Prefixes.Add(tunnel.Prefixes);
        report.Drift.Add(tunnel.Drift);
        return report;
    }

    private static TrafficSummary ToContract(TrafficFigures traffic)
    {
        var summary = new TrafficSummary
        {
            RxBytes = (ulong)traffic.RxBytes, TxBytes = (ulong)traffic.TxBytes,
            RxBitsPerSecond = traffic.RxBitsPerSecond, TxBitsPerSecond = traffic.TxBitsPerSecond,
            RxP95BitsPerSecond = traffic.RxP95BitsPerSecond, TxP95BitsPerSecond = traffic.TxP95BitsPerSecond,
            Intervals = (uint)traffic.Intervals,
        };
        summary.Points.Add(traffic.Points.Select(p => new TrafficPoint
        {
            From = Timestamp.FromDateTimeOffset(StoredTime.ToInstant(p.From)),
            To = Timestamp.FromDateTimeOffset(StoredTime.ToInstant(p.To)),
            RxBitsPerSecond = p.RxBitsPerSecond, TxBitsPerSecond = p.TxBitsPerSecond,
        }));
        return summary;
    }

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
