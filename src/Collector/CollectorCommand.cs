using System.CommandLine;
using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Operations;

namespace DaemonNet.Collector;

/// <summary>The collector's flags. Each one overrides the configuration key it names.</summary>
internal static class CollectorCommand
{
    private static readonly (Option<string> Option, string Key)[] Flags =
    [
        (new("--listen") { Description = "Address for agents and clients, HOST:PORT (default 0.0.0.0:7460)", HelpName = "HOST:PORT" }, "Collector:Listen"),
        (new("--http-listen") { Description = "With --insecure only: a second port, plain HTTP/1.1, for the web page and the HTTP routes", HelpName = "HOST:PORT" }, "Collector:HttpListen"),
        (new("--metrics-listen") { Description = "A port of its own, plain HTTP, serving only /metrics to Prometheus (the main port serves it to readers)", HelpName = "HOST:PORT" }, "Collector:MetricsListen"),
        (new("--db") { Description = "SQLite database file (default /var/lib/daemonnet/collector.db), or a PostgreSQL URI postgresql://user@host:port/dbname shared by several collectors", HelpName = "PATH|URI" }, "Collector:Db"),
        (new("--stale-after") { Description = "Silence after which a host is stale and its facts end at its last report (default: 3 of its intervals)", HelpName = "DURATION" }, "Collector:StaleAfter"),
        (new("--rejoin-window") { Description = "An address binding that vanishes and returns within this time continues (default 15m)", HelpName = "DURATION" }, "Collector:RejoinWindow"),
        (new("--retention") { Description = "Delete intervals that ended longer ago than this (default: keep everything)", HelpName = "DURATION" }, "Collector:Retention"),
        (new("--traffic-sample-every") { Description = "Turn a host's traffic counters into a traffic row at most this often (default 1m)", HelpName = "DURATION" }, "Collector:TrafficSampleEvery"),
        (new("--traffic-raw-for") { Description = "Keep traffic per sample interval this long, then in 5-minute sums (default 48h)", HelpName = "DURATION" }, "Collector:TrafficRawFor"),
        (new("--traffic-5m-for") { Description = "Keep 5-minute traffic sums this long, then hourly sums (default 30d)", HelpName = "DURATION" }, "Collector:TrafficFiveMinutesFor"),
        (new("--ca-file") { Description = "The cluster CA (default /etc/daemonnet/tls/ca.pem)", HelpName = "PATH" }, "Collector:CaFile"),
        (new("--cert-file") { Description = "The collector's certificate (default /etc/daemonnet/tls/collector.pem)", HelpName = "PATH" }, "Collector:CertFile"),
        (new("--key-file") { Description = "The collector's key (default /etc/daemonnet/tls/collector-key.pem)", HelpName = "PATH" }, "Collector:KeyFile"),
        (new("--revocation-file") { Description = "Revoked certificates, re-read when it changes or on SIGHUP (default revoked.txt beside the CA file)", HelpName = "PATH" }, "Collector:RevocationFile"),
        (new("--token-file") { Description = "Bearer tokens accepted, re-read when it changes or on SIGHUP (default tokens.txt beside the CA file)", HelpName = "PATH" }, "Collector:TokenFile"),
    ];

    private static readonly Option<bool> Insecure = new("--insecure")
    {
        Description = "Serve plain HTTP/2 without TLS: anyone who can reach the port can write. Only on a network you trust",
    };

    private static readonly Option<bool> OpenReads = new("--open-reads")
    {
        Description = "Answer questions (gRPC and HTTP) from clients without a certificate, over server-authenticated TLS; agents still need theirs",
    };

    // Repeatable HOST/TUNNEL=VALUE flags, each naming one setting of Collector:Tunnels.
    private static readonly (Option<string[]> Option, string Setting)[] TunnelFlags =
    [
        (new("--tunnel-limit") { Description = "A tunnel's bandwidth limit, e.g. daemon1/he-ipv6=100Mbit (repeatable)", HelpName = "HOST/TUNNEL=RATE" }, "Limit"),
        (new("--routed-prefix") { Description = "The IPv6 prefix routed to a host through a tunnel, e.g. daemon1/he-ipv6=2001:470:7b3e::/48 (repeatable)", HelpName = "HOST/TUNNEL=PREFIX" }, "RoutedPrefix"),
    ];

    public static RootCommand Create(Func<Dictionary<string, string?>, CancellationToken, Task<int>> run)
    {
        var command = new RootCommand("daemonnet-collector: keeps the cluster's VM and network inventory, and its history, in SQLite or PostgreSQL.");
        foreach (var (option, _) in Flags)
        {
            command.Options.Add(option);
        }
        foreach (var (option, _) in TunnelFlags)
        {
            command.Options.Add(option);
            option.Validators.Add(result =>
            {
                foreach (var value in result.GetValueOrDefault<string[]>() ?? [])
                {
                    if (!value.Contains('='))
                    {
                        result.AddError($"{option.Name} '{value}' is not HOST/TUNNEL=VALUE, e.g. daemon1/he-ipv6=100Mbit");
                    }
                }
            });
        }
        command.Options.Add(Insecure);
        command.Options.Add(OpenReads);
        command.Subcommands.Add(CertsCommand.Create());
        command.Subcommands.Add(Enrolling.EnrolCommand.Create());
        command.Subcommands.Add(BackupCommand.Create());
        command.Subcommands.Add(MigrateCommand.Create());
        command.Subcommands.Add(AccessLogCommand.Create());
        command.SetAction((result, cancellationToken) =>
        {
            var overrides = new Dictionary<string, string?>(StringComparer.Ordinal);
            foreach (var (option, key) in Flags)
            {
                if (result.GetValue(option) is { } value)
                {
                    overrides[key] = value;
                }
            }
            foreach (var (option, setting) in TunnelFlags)
            {
                foreach (var value in result.GetValue(option) ?? [])
                {
                    var equals = value.IndexOf('=');
                    overrides[$"Collector:Tunnels:{value[..equals]}:{setting}"] = value[(equals + 1)..];
                }
            }
            if (result.GetValue(Insecure))
            {
                overrides["Collector:Insecure"] = "true";
            }
            if (result.GetValue(OpenReads))
            {
                overrides["Collector:OpenReads"] = "true";
            }
            return run(overrides, cancellationToken);
        });
        return command;
    }
}
