using System.Net;
using DaemonNet.Collector.Alerting;
using DaemonNet.Collector.Dns;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Names;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Traffic;
using DaemonNet.Collector.Tunnels;
using DaemonNet.Collector.Vendors;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector;

/// <summary>The collector's settings: section "Collector" of appsettings.json, DAEMONNET_Collector__* variables, or flags.</summary>
public sealed class CollectorOptions
{
    public const string Section = "Collector";

    /// <summary>Where to listen for agents and clients, HOST:PORT; * or 0.0.0.0 or [::] for every interface.</summary>
    public string Listen { get; set; } = "0.0.0.0:7460";

    /// <summary>
    /// Only with --insecure: a second port, plain HTTP/1.1, for the web page and the HTTP routes
    /// (plain HTTP/2 on the main port cannot offer HTTP/1.1 beside it). Empty for none.
    /// </summary>
    public string HttpListen { get; set; } = "";

    public IPEndPoint? HttpListenEndPoint => TryParseListen(HttpListen, out var endPoint) ? endPoint : null;

    /// <summary>
    /// A port of its own, plain HTTP, that serves only /metrics to Prometheus; empty for none. The
    /// main port serves /metrics too, to reader certificates (or to anyone with open reads).
    /// </summary>
    public string MetricsListen { get; set; } = "";

    public IPEndPoint? MetricsListenEndPoint => TryParseListen(MetricsListen, out var endPoint) ? endPoint : null;

    public string Db { get; set; } = "/var/lib/daemonnet/collector.db";

    /// <summary>Where Debian's ieee-data package puts the IEEE registries that name the vendor of a MAC.</summary>
    public string IeeeDataFolder { get; set; } = MacVendors.DefaultFolder;

    /// <summary>
    /// How long a host may be silent before it is stale: shown so, and its facts ended at its last
    /// report. Empty means three of the host's own intervals.
    /// </summary>
    public string StaleAfter { get; set; } = "";

    /// <summary>An address binding that vanishes and returns within this time continues its interval.</summary>
    public string RejoinWindow { get; set; } = "15m";

    /// <summary>Intervals that ended longer ago than this are deleted; empty keeps everything.</summary>
    public string Retention { get; set; } = "";

    /// <summary>How long the record of who asked what is kept (daemonnet-collector access-log).</summary>
    public string AccessLogRetention { get; set; } = "90d";

    /// <summary>A host's traffic counters become a traffic row at most this often.</summary>
    public string TrafficSampleEvery { get; set; } = "1m";

    /// <summary>Traffic keeps one row per sample this long, then 5-minute sums.</summary>
    public string TrafficRawFor { get; set; } = "48h";

    /// <summary>5-minute traffic sums are kept this long, then hourly sums.</summary>
    public string TrafficFiveMinutesFor { get; set; } = "30d";

    /// <summary>A Cloudflare zone whose AAAA records the audit checks against the VMs' addresses; off by default.</summary>
    public CloudflareOptions Cloudflare { get; set; } = new();

    /// <summary>Names of the VMs' addresses through the system resolver (PTR, confirmed forward).</summary>
    public NameOptions Names { get; set; } = new();

    /// <summary>Alert sinks, the rules that route alerts to them, the watch list and the dedup window.</summary>
    public AlertOptions Alerts { get; set; } = new();

    /// <summary>Per HOST/TUNNEL: bandwidth limit and routed IPv6 prefix.</summary>
    public Dictionary<string, TunnelSettings> Tunnels { get; set; } = new(StringComparer.Ordinal);

    /// <summary>The cluster CA, which must have issued every client's certificate.</summary>
    public string CaFile { get; set; } = "/etc/daemonnet/tls/ca.pem";

    /// <summary>The CA's folder, where the lists beside it live by default and enrolment issues certificates (none without a CA file).</summary>
    public string CaDirectory => CaFile.Length == 0 ? "" : Path.GetDirectoryName(Path.GetFullPath(CaFile)) ?? "/";

    public string CertFile { get; set; } = "/etc/daemonnet/tls/collector.pem";

    public string KeyFile { get; set; } = "/etc/daemonnet/tls/collector-key.pem";

    /// <summary>The revocation list (certs revoke writes it); empty means revoked.txt beside the CA file.</summary>
    public string RevocationFile { get; set; } = "";

    public string EffectiveRevocationFile => RevocationFile.Length > 0
        ? RevocationFile
        : Path.Combine(CaDirectory, Certificates.RevocationList.FileName);

    /// <summary>The bearer tokens accepted (certs token writes it); empty means tokens.txt beside the CA file.</summary>
    public string TokenFile { get; set; } = "";

    public string EffectiveTokenFile => TokenFile.Length > 0
        ? TokenFile
        : Path.Combine(CaDirectory, Tokens.TokenList.FileName);

    /// <summary>Plain HTTP/2 without TLS: anyone who can reach the port can write. Only on a network you trust.</summary>
    public bool Insecure { get; set; }

    /// <summary>
    /// Serve the read-only surface (the Inventory RPCs and their HTTP routes) to clients without a
    /// certificate, over server-authenticated TLS. Ingest always needs an agent's certificate.
    /// </summary>
    public bool OpenReads { get; set; }

    public TlsFiles Tls => new(CaFile, CertFile, KeyFile);

    public TimeSpan? StaleAfterDuration => DurationText.TryParse(StaleAfter, out var duration) ? duration : null;

    public TimeSpan? RetentionDuration => DurationText.TryParse(Retention, out var duration) ? duration : null;

    public TimeSpan AccessLogRetentionDuration => DurationText.TryParse(AccessLogRetention, out var duration) ? duration : TimeSpan.FromDays(90);

    public IntervalRules Rules => new(StaleAfterDuration,
        DurationText.TryParse(RejoinWindow, out var window) ? window : IntervalRules.Default.RejoinWindow);

    public TrafficResolution TrafficResolution => new(
        DurationText.TryParse(TrafficSampleEvery, out var every) ? every : TrafficResolution.Default.SampleEvery,
        DurationText.TryParse(TrafficRawFor, out var raw) ? raw : TrafficResolution.Default.RawFor,
        DurationText.TryParse(TrafficFiveMinutesFor, out var fine) ? fine : TrafficResolution.Default.FiveMinutesFor);

    public IPEndPoint? ListenEndPoint => TryParseListen(Listen, out var endPoint) ? endPoint : null;

    public static bool TryParseListen(string text, out IPEndPoint endPoint)
    {
        endPoint = new IPEndPoint(IPAddress.Any, 0);
        var colon = text.LastIndexOf(':');
        if (colon <= 0 || !ushort.TryParse(text[(colon + 1)..], out var port))
        {
            return false;
        }
        var host = text[..colon].Trim('[', ']');
        IPAddress? address = host switch
        {
            "*" => IPAddress.IPv6Any,
            "localhost" => IPAddress.Loopback,
            _ => IPAddress.TryParse(host, out var parsed) ? parsed : null,
        };
        if (address is null)
        {
            return false;
        }
        endPoint = new IPEndPoint(address, port);
        return true;
    }
}

public sealed class CollectorOptionsValidator : IValidateOptions<CollectorOptions>
{
    public ValidateOptionsResult Validate(string? name, CollectorOptions options)
    {
        var failures = new List<string>();
        if (options.ListenEndPoint is null)
        {
            failures.Add($"Collector:Listen (--listen) '{options.Listen}' is not HOST:PORT with an IP address, e.g. 0.0.0.0:7460 or 127.0.0.1:7460");
        }
        if (options.HttpListen.Length > 0 && (options.HttpListenEndPoint is null || !options.Insecure))
        {
            failures.Add(options.Insecure
                ? $"Collector:HttpListen (--http-listen) '{options.HttpListen}' is not HOST:PORT with an IP address, e.g. 127.0.0.1:7461"
                : "Collector:HttpListen (--http-listen) is only for --insecure: with TLS, the main port serves the web page and the HTTP routes too");
        }
        if (options.MetricsListen.Length > 0 && options.MetricsListenEndPoint is null)
        {
            failures.Add($"Collector:MetricsListen (--metrics-listen) '{options.MetricsListen}' is not HOST:PORT with an IP address, e.g. 127.0.0.1:9469");
        }
        if (string.IsNullOrWhiteSpace(options.Db))
        {
            failures.Add("Collector:Db (--db) is empty: give the SQLite file's path, e.g. /var/lib/daemonnet/collector.db, or a postgresql:// URI");
        }
        else if (Storage.Postgres.PostgresAddress.IsOne(options.Db))
        {
            try
            {
                Storage.Postgres.PostgresAddress.Parse(options.Db);
            }
            catch (FormatException e)
            {
                failures.Add($"Collector:Db (--db): {e.Message}");
            }
        }
        if (options.StaleAfter.Length > 0 && options.StaleAfterDuration is null)
        {
            failures.Add($"Collector:StaleAfter (--stale-after) '{options.StaleAfter}' is not a duration: use {DurationText.AcceptedForms}");
        }
        if (!DurationText.TryParse(options.RejoinWindow, out _))
        {
            failures.Add($"Collector:RejoinWindow (--rejoin-window) '{options.RejoinWindow}' is not a duration: use {DurationText.AcceptedForms}");
        }
        if (!options.Insecure && !options.Tls.IsComplete)
        {
            failures.Add($"Collector: {TlsFiles.Missing}");
        }
        if (!DurationText.TryParse(options.AccessLogRetention, out _))
        {
            failures.Add($"Collector:AccessLogRetention '{options.AccessLogRetention}' is not a duration: use {DurationText.AcceptedForms}");
        }
        if (options.Retention.Length > 0 && options.RetentionDuration is null)
        {
            failures.Add($"Collector:Retention (--retention) '{options.Retention}' is not a duration (or empty to keep everything): use {DurationText.AcceptedForms}");
        }
        foreach (var (setting, value) in new[] { ("TrafficSampleEvery (--traffic-sample-every)", options.TrafficSampleEvery), ("TrafficRawFor (--traffic-raw-for)", options.TrafficRawFor), ("TrafficFiveMinutesFor (--traffic-5m-for)", options.TrafficFiveMinutesFor) })
        {
            if (!DurationText.TryParse(value, out _))
            {
                failures.Add($"Collector:{setting} '{value}' is not a duration: use {DurationText.AcceptedForms}");
            }
        }
        failures.AddRange(options.Alerts.Problems());
        failures.AddRange(options.Cloudflare.Problems());
        failures.AddRange(options.Names.Problems());
        foreach (var (key, tunnel) in options.Tunnels)
        {
            failures.AddRange(tunnel.Problems(key));
        }
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
