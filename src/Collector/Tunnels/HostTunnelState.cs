using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Traffic;

namespace DaemonNet.Collector.Tunnels;

/// <summary>A host's tunnels and bridge traffic, what the tunnels command shows and the audit's tunnel rules read.</summary>
/// <param name="ConfigurationError">Set when the host could not read its interfaces file: drift against it is unknown.</param>
/// <remarks>A host whose <see cref="HostRow.InterfacesConfigured"/> is 0 has no interfaces file by choice: no drift either.</remarks>
/// <param name="NetworkPrefixes">The IPv6 prefixes of the host's libvirt networks (what nat-bridge hands out).</param>
public sealed record HostTunnelState(
    HostRow Host, string ConfigurationError, IReadOnlyList<string> NetworkPrefixes, IReadOnlyList<Tunnel> Tunnels,
    IReadOnlyList<(string Bridge, TrafficFigures Traffic)> Bridges);
