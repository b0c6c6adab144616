using DaemonNet.Collector.Audit;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.Formats;
using Microsoft.Extensions.Options;
using Prometheus;

namespace DaemonNet.Collector.Operations;

/// <summary>
/// The collector's Prometheus metrics, in a registry of its own (one per collector, so that tests
/// running several in one process keep theirs apart). Counters and histograms move as things
/// happen; what the store knows (hosts, tunnels, DHCP pools, the database's size) is read when
/// Prometheus scrapes.
/// </summary>
public sealed class CollectorMetrics
{
    /// <summary>Why an agent's message or stream was refused: the <c>reason</c> label of <c>daemonnet_ingest_refused_total</c>.</summary>
    public static class Refusal
    {
        public const string StreamLimit = "stream_limit";
        public const string Revoked = "revoked";
        public const string Invalid = "invalid";
        public const string ClockSkew = "clock_skew";
        public const string WrongHost = "wrong_host";
        public const string Role = "role";
        public const string NoCertificate = "no_certificate";
        public const string HostElsewhere = "host_elsewhere";
        public const string Token = "token";
    }

    private static readonly double[] DurationBuckets = Histogram.ExponentialBuckets(0.000_25, 2, 16);

    private readonly IStateReader store;
    private readonly StoreDatabase database;
    private readonly IntervalRules rules;
    private readonly IOptions<CollectorOptions> options;
    private readonly TimeProvider time;

    private readonly Counter ingested;
    private readonly Counter refused;
    private readonly Counter callsRefused;
    private readonly Histogram applySeconds;
    private readonly Histogram querySeconds;
    private readonly Gauge streams;
    private readonly Gauge databaseBytes;
    private readonly Gauge lastReportAge;
    private readonly Gauge stale;
    private readonly Counter tunnelReceived;
    private readonly Counter tunnelSent;
    private readonly Gauge tunnelLimit;
    private readonly Gauge poolAddresses;
    private readonly Gauge poolLeased;
    private readonly Counter alertsRaised;
    private readonly Counter alertDeliveries;

    public CollectorMetrics(CollectorRegistry registry, IStateReader store, StoreDatabase database, IntervalRules rules, IOptions<CollectorOptions> options,
        TimeProvider time)
    {
        this.store = store;
        this.database = database;
        this.rules = rules;
        this.options = options;
        this.time = time;
        Registry = registry;
        var factory = Metrics.WithCustomRegistry(Registry);
        Counter CounterOf(string name, string help, params string[] labels) => factory.CreateCounter(name, help, labels);
        Gauge GaugeOf(string name, string help, params string[] labels) => factory.CreateGauge(name, help, labels);

        ingested = CounterOf("daemonnet_ingest_messages_total", "Agent messages stored and acknowledged, by kind (snapshot, heartbeat).", "kind");
        refused = CounterOf("daemonnet_ingest_refused_total", "Agent messages or streams refused, by reason.", "reason");
        callsRefused = CounterOf("daemonnet_calls_refused_total", "Calls of any service refused at the door, by service and reason (no_credential, token, revoked, role).",
            "service", "reason");
        applySeconds = factory.CreateHistogram("daemonnet_snapshot_apply_seconds", "Time a snapshot held the store's writer.",
            new HistogramConfiguration { Buckets = DurationBuckets });
        querySeconds = factory.CreateHistogram("daemonnet_query_duration_seconds", "Time to answer a question, by verb (where, history, hosts, ...).",
            new HistogramConfiguration { Buckets = DurationBuckets, LabelNames = ["verb"] });
        streams = GaugeOf("daemonnet_agent_streams", "Agent streams open now.");
        databaseBytes = GaugeOf("daemonnet_database_size_bytes", "Size of the database file and its write-ahead log.");
        lastReportAge = GaugeOf("daemonnet_host_last_report_age_seconds", "Seconds since the host's last report.", "host");
        stale = GaugeOf("daemonnet_host_stale", "1 while the host is stale (silent longer than its threshold), else 0.", "host");
        tunnelReceived = CounterOf("daemonnet_tunnel_receive_bytes_total", "Bytes the tunnel received, as its host's kernel counts them (restarts at the host's boot).", "host", "tunnel");
        tunnelSent = CounterOf("daemonnet_tunnel_transmit_bytes_total", "Bytes the tunnel sent, as its host's kernel counts them (restarts at the host's boot).", "host", "tunnel");
        tunnelLimit = GaugeOf("daemonnet_tunnel_limit_bytes_per_second", "The tunnel's configured bandwidth limit.", "host", "tunnel");
        poolAddresses = GaugeOf("daemonnet_dhcp_pool_addresses", "Addresses in a libvirt network's IPv4 DHCP range.", "host", "network", "range");
        poolLeased = GaugeOf("daemonnet_dhcp_pool_leased_addresses", "Addresses of the range under unexpired dnsmasq leases.", "host", "network", "range");
        alertsRaised = CounterOf("daemonnet_alerts_raised_total", "Alerts raised (repeats within the dedup window not counted), by kind.", "rule");
        alertDeliveries = CounterOf("daemonnet_alert_deliveries_total", "Alert deliveries that ended, by sink and outcome (delivered, dead).", "sink", "outcome");
        DotNetStats.Register(Registry);
        Registry.AddBeforeCollectCallback(RefreshAsync);
    }

    public CollectorRegistry Registry { get; }

    public void Ingested(bool snapshot) => ingested.WithLabels(snapshot ? "snapshot" : "heartbeat").Inc();

    public void Refused(string reason) => refused.WithLabels(reason).Inc();

    public void CallRefused(string service, string reason) => callsRefused.WithLabels(service, reason).Inc();

    public void Applied(TimeSpan writerHeld) => applySeconds.Observe(writerHeld.TotalSeconds);

    public void Answered(string verb, TimeSpan took) => querySeconds.WithLabels(verb).Observe(took.TotalSeconds);

    public IDisposable StreamOpen()
    {
        streams.Inc();
        return new Closing(streams);
    }

    public void AlertRaised(string rule) => alertsRaised.WithLabels(rule).Inc();

    public void AlertDelivery(string sink, bool delivered) => alertDeliveries.WithLabels(sink, delivered ? "delivered" : "dead").Inc();

    /// <summary>What the store knows, read at each scrape; series of hosts, tunnels and pools that are gone are dropped.</summary>
    private async Task RefreshAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        databaseBytes.Set(database.SizeInBytes());
        var state = await store.CurrentStateAsync(now, cancellationToken);
        Replace(lastReportAge, state.Hosts.Select(h => (new[] { h.Name }, (now - StoredTime.ToInstant(h.LastReport)).TotalSeconds)));
        Replace(stale, state.Hosts.Select(h => (new[] { h.Name }, rules.IsSilent(h, now) ? 1.0 : 0.0)));

        var names = state.Hosts.ToDictionary(h => h.Id, h => h.Name);
        var tunnels = state.Links.Where(l => LinkKinds.IsTunnel(l.Kind) && names.ContainsKey(l.HostId)).Select(l => (names[l.HostId], l.Name)).ToHashSet();
        var counters = (await store.LinkCountersAsync(cancellationToken)).Where(c => tunnels.Contains((c.Host, c.Link))).ToList();
        Follow(tunnelReceived, counters.Select(c => (new[] { c.Host, c.Link }, (double)c.RxBytes)));
        Follow(tunnelSent, counters.Select(c => (new[] { c.Host, c.Link }, (double)c.TxBytes)));
        Replace(tunnelLimit, options.Value.Tunnels.Where(t => t.Key.Contains('/') && t.Value.LimitBitsPerSecond > 0)
            .Select(t => (t.Key.Split('/', 2), t.Value.LimitBitsPerSecond / 8)));

        var pools = DhcpPools.Of(state).Where(p => names.ContainsKey(p.HostId)).ToList();
        Replace(poolAddresses, pools.Select(p => (new[] { names[p.HostId], p.Network.Name, $"{p.Start}-{p.End}" }, (double)p.Size)));
        Replace(poolLeased, pools.Select(p => (new[] { names[p.HostId], p.Network.Name, $"{p.Start}-{p.End}" }, (double)p.Leased)));
    }

    private static void Replace(Gauge gauge, IEnumerable<(string[] Labels, double Value)> series)
    {
        var current = series.GroupBy(s => string.Join('\0', s.Labels), StringComparer.Ordinal).Select(g => g.First()).ToList();
        DropMissing(gauge, current.Select(s => s.Labels));
        foreach (var (labels, value) in current)
        {
            gauge.WithLabels(labels).Set(value);
        }
    }

    /// <summary>Removes the series whose labels are not among <paramref name="present"/>: a host, tunnel or pool that is gone.</summary>
    private static void DropMissing<TChild>(Collector<TChild> metric, IEnumerable<string[]> present)
        where TChild : ChildBase
    {
        var keep = present.Select(l => string.Join('\0', l)).ToHashSet(StringComparer.Ordinal);
        foreach (var labels in metric.GetAllLabelValues().Where(l => !keep.Contains(string.Join('\0', l))).ToList())
        {
            metric.RemoveLabelled(labels);
        }
    }

    /// <summary>Follows a counter kept elsewhere: it only grows, except when the source restarts, which Prometheus sees as a reset.</summary>
    private static void Follow(Counter counter, IEnumerable<(string[] Labels, double Value)> series)
    {
        var current = series.ToList();
        DropMissing(counter, current.Select(s => s.Labels));
        foreach (var (labels, value) in current)
        {
            if (value < counter.WithLabels(labels).Value)
            {
                counter.RemoveLabelled(labels);
            }
            counter.WithLabels(labels).IncTo(value);
        }
    }

    private sealed class Closing(Gauge gauge) : IDisposable
    {
        private int closed;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref closed, 1) == 0)
            {
                gauge.Dec();
            }
        }
    }
}
