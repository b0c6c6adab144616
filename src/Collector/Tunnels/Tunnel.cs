using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Traffic;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Tunnels;

/// <summary>
/// One tunnel of a host, as the kernel has it (<see cref="Present"/>) or as only the interfaces
/// file configures it, with its drift against that file, its traffic and the collector's settings for it.
/// </summary>
/// <param name="Kind">The kernel's link kind; for a missing tunnel, the configured method (v4tunnel, tunnel).</param>
/// <param name="Prefixes">The IPv6 prefixes of the tunnel's own addresses.</param>
/// <param name="Since">Unix milliseconds since the kernel's link is as it is; 0 for a missing tunnel.</param>
/// <param name="LimitBitsPerSecond">From the collector's configuration; 0 when none is set.</param>
public sealed record Tunnel(
    string Name, string Kind, string Local, string Remote, long Ttl, string Operstate, long Mtu, bool Present, long Since,
    IReadOnlyList<string> Prefixes, ConfiguredRow? Configured, IReadOnlyList<TunnelDrift> Drift, TrafficFigures Traffic,
    double LimitBitsPerSecond, string RoutedPrefix);
