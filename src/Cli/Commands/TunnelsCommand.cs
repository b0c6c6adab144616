using System.CommandLine;
using System.Globalization;
using DaemonNet.Cli.Output;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Cli.Commands;

/// <summary>
/// <c>daemonnet tunnels [--host H] [--since T]</c>: per host, each tunnel with its endpoints,
/// prefixes, state and traffic, and where it drifts from the interfaces file.
/// </summary>
internal sealed class TunnelsCommand
{
    private static readonly Option<string> Host = new("--host") { Description = "Only this host", HelpName = "HOST" };

    private static readonly Option<DateTimeOffset?> Since = TimeOptions.Create("--since", "Start of the traffic window for volume and p95 (default: 1 hour ago)");

    public static Command Create()
    {
        var command = new Command("tunnels", "Show each host's tunnels: endpoints, IPv6 prefixes, state, traffic, and drift from /etc/network/interfaces");
        command.Options.Add(Host);
        command.Options.Add(Since);
        command.SetAction(RunAsync);
        return command;
    }

    private static Task<int> RunAsync(ParseResult parse, CancellationToken cancellationToken)
    {
        var request = new TunnelsRequest { Host = parse.GetValue(Host) ?? "" };
        if (parse.GetValue(Since) is { } since)
        {
            request.Since = Timestamp.FromDateTimeOffset(since);
        }
        var utc = parse.GetValue(GlobalOptions.Utc);
        return Question.AskAsync(parse, (inventory, options) => inventory.TunnelsAsync(request, options),
            reply => reply.Hosts.Count == 0 ? "daemonnet: no host has reported to this collector yet." : null,
            (writer, reply) => WriteHuman(writer, reply, utc), cancellationToken);
    }

    public static void WriteHuman(TextWriter writer, TunnelsReply reply, bool utc)
    {
        var window = RelativeTime.Span(reply.CollectorTime.ToDateTimeOffset() - reply.Since.ToDateTimeOffset());
        writer.WriteLine($"Traffic since {RelativeTime.Absolute(reply.Since.ToDateTimeOffset(), utc)} ({window}): rates in bits per second, VOL the bytes in that window, P95 the 95th percentile rate.");
        foreach (var host in reply.Hosts)
        {
            writer.WriteLine();
            var prefixes = host.NetworkPrefixes.Count > 0 ? $"  network IPv6: {string.Join(", ", host.NetworkPrefixes)}" : "";
            writer.WriteLine($"{host.Host.Name}{(host.Host.Stale ? " (stale: its last report is shown)" : "")}{prefixes}");
            if (host.InterfacesNotConfigured)
            {
                writer.WriteLine("  no interfaces file on this host (--interfaces-file none): drift is not checked");
            }
            else if (host.ConfigurationError.Length > 0)
            {
                writer.WriteLine($"  interfaces file unreadable, drift unknown: {host.ConfigurationError}");
            }
            if (host.Tunnels.Count == 0)
            {
                writer.WriteLine("  no tunnels");
            }
            else
            {
                var table = new Table("TUNNEL", "KIND", "LOCAL → REMOTE", "PREFIXES", "STATE", "RX NOW", "TX NOW", "RX VOL", "TX VOL", "P95 RX", "P95 TX", "LIMIT", "DRIFT");
                foreach (var tunnel in host.Tunnels)
                {
                    var traffic = tunnel.Traffic ?? new TrafficSummary();
                    var prefixList = tunnel.Prefixes.Concat(tunnel.RoutedPrefix.Length > 0 ? [$"routed {tunnel.RoutedPrefix}"] : Array.Empty<string>());
                    table.Add(tunnel.Name, tunnel.Kind, $"{Or(tunnel.Local)} → {Or(tunnel.Remote)}", Dash(string.Join(", ", prefixList)),
                        tunnel.Present ? State(tunnel.Operstate) : "absent",
                        Rate(traffic.RxBitsPerSecond, tunnel.Present), Rate(traffic.TxBitsPerSecond, tunnel.Present),
                        tunnel.Present ? ByteSize.Format(traffic.RxBytes) : "-", tunnel.Present ? ByteSize.Format(traffic.TxBytes) : "-",
                        Rate(traffic.RxP95BitsPerSecond, tunnel.Present), Rate(traffic.TxP95BitsPerSecond, tunnel.Present),
                        Limit(tunnel), Drift(tunnel));
                }
                table.WriteTo(writer, "  ");
            }
            if (host.Bridges.Count > 0)
            {
                writer.WriteLine("  bridges: " + string.Join("; ", host.Bridges.Select(b =>
                    $"{b.Name} rx {BitRate.Format(b.Traffic.RxBitsPerSecond)} tx {BitRate.Format(b.Traffic.TxBitsPerSecond)}, {ByteSize.Format(b.Traffic.RxBytes)}/{ByteSize.Format(b.Traffic.TxBytes)} in window")));
            }
        }
    }

    /// <summary>"UNKNOWN" is how the kernel shows a working point-to-point tunnel (sit, gre): it has no carrier to sense.</summary>
    private static string State(string operstate) => operstate switch
    {
        "UP" or "UNKNOWN" => "up",
        "" => "-",
        _ => operstate.ToLowerInvariant(),
    };

    private static string Rate(double bitsPerSecond, bool present) => present ? BitRate.Format(bitsPerSecond) : "-";

    private static string Limit(TunnelReport tunnel)
    {
        if (tunnel.LimitBitsPerSecond <= 0)
        {
            return "-";
        }
        var peak = Math.Max(tunnel.Traffic?.RxP95BitsPerSecond ?? 0, tunnel.Traffic?.TxP95BitsPerSecond ?? 0);
        return string.Create(CultureInfo.InvariantCulture, $"{BitRate.Format(tunnel.LimitBitsPerSecond)} (p95 {100 * peak / tunnel.LimitBitsPerSecond:0}%)");
    }

    public static string Drift(TunnelReport tunnel) => tunnel.Drift.Count == 0 ? "-" : string.Join(", ", tunnel.Drift.Select(d => d switch
    {
        TunnelDrift.Missing => $"configured at {tunnel.Configured.File}:{tunnel.Configured.Line} but missing",
        TunnelDrift.Unconfigured => "not in the interfaces file",
        TunnelDrift.EndpointDiffers => $"configured {Or(tunnel.Configured.Local)} → {Or(tunnel.Configured.Endpoint)}",
        _ => d.ToString(),
    }));

    private static string Or(string endpoint) => endpoint.Length > 0 ? endpoint : "any";

    private static string Dash(string text) => text.Length > 0 ? text : "-";
}
