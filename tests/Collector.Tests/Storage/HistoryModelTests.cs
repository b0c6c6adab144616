using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>
/// Model-based: random timelines for several hosts (VMs moving, changing state, addresses
/// flickering and passing between VMs, reports missed, hosts falling silent) go through the real
/// store, reported as an agent would (a heartbeat when nothing changed, a snapshot when asked).
/// At many random instants, <c>where --at</c> by name, MAC and address must equal what a plain
/// in-memory replay of the same reports says.
/// </summary>
public abstract class HistoryModelTests(StoreKind kind)
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-03T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private static readonly IntervalRules Rules = new(SilentAfter: null, RejoinWindow: TimeSpan.FromSeconds(60));
    private const int Hosts = 3;
    private const int Vms = 6;
    private const int Steps = 60;
    private const int StepSeconds = 10;
    private static readonly string[] Names = ["web", "db", "mail"];
    private static readonly string[] Ips = ["192.168.122.10", "192.168.122.11", "192.168.122.12", "2001:db8::10"];

    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    [InlineData(5)]
    public async Task WhereAt_RandomTimelines_AgreesWithAnInMemoryReplay(int seed)
    {
        var random = new Random(seed);
        var reports = Generate(random);
        using var database = new TestDatabase(kind);
        var oracle = new Oracle();
        using (var store = new Store(database.Address, Rules))
        {
            var sent = new Dictionary<string, string>(StringComparer.Ordinal);
            foreach (var report in reports)
            {
                var hash = ContentHash.Of(report.Snapshot);
                var heartbeat = new Heartbeat { HostName = report.Host, ContentHash = hash };
                if (!sent.TryGetValue(report.Host, out var previous) || previous != hash
                    || !await store.Ingest.ConfirmHeartbeatAsync(heartbeat, report.At, CancellationToken.None))
                {
                    await store.Ingest.ApplySnapshotAsync(report.Snapshot, report.At, CancellationToken.None);
                    sent[report.Host] = hash;
                }
                oracle.Apply(report);
            }

            var now = Start.AddSeconds(Steps * StepSeconds + 5);
            for (var i = 0; i < 150; i++)
            {
                var at = Start.AddSeconds(random.Next(0, Steps * StepSeconds + 5) + 0.5);
                var query = random.Next(3) switch
                {
                    0 => Names[random.Next(Names.Length)],
                    1 => Mac(random.Next(Vms)),
                    _ => Ips[random.Next(Ips.Length)],
                };
                var found = (await store.Where.WhereAsync(InventoryQuery.Parse(query), now, at, CancellationToken.None)).Vms
                    .Select(v => $"{v.Host.Name} {v.Domain.Uuid} {(DomainState)v.Domain.State} [{string.Join(' ', v.Nics.SelectMany(n => n.Addresses).Select(a => a.Ip).Order(StringComparer.Ordinal))}]")
                    .Order(StringComparer.Ordinal).ToList();

                Assert.True(oracle.Where(query, at, now).SequenceEqual(found, StringComparer.Ordinal),
                    $"seed {seed}, where {query} --at {at:O}: expected [{string.Join("; ", oracle.Where(query, at, now))}] but the store said [{string.Join("; ", found)}]");
            }
        }
    }

    private static string Mac(int vm) => $"52:54:00:cc:00:{vm:x2}";

    private sealed record Report(string Host, DateTimeOffset At, HostSnapshot Snapshot);

    /// <summary>A world of VMs on hosts that changes a little every step, and the hosts' reports of it.</summary>
    private static List<Report> Generate(Random random)
    {
        var placement = Enumerable.Range(0, Vms).Select(_ => random.Next(Hosts + 1)).ToArray();
        var running = Enumerable.Range(0, Vms).Select(_ => random.Next(4) > 0).ToArray();
        var address = Enumerable.Range(0, Vms).Select(_ => random.Next(Ips.Length)).ToArray();
        var silentUntil = new int[Hosts];
        var reports = new List<Report>();
        for (var step = 0; step < Steps; step++)
        {
            for (var vm = 0; vm < Vms; vm++)
            {
                if (random.NextDouble() < 0.05) placement[vm] = random.Next(Hosts + 1);
                if (random.NextDouble() < 0.08) running[vm] = !running[vm];
                if (random.NextDouble() < 0.08) address[vm] = random.Next(Ips.Length);
            }
            for (var host = 0; host < Hosts; host++)
            {
                if (step < silentUntil[host])
                {
                    continue;
                }
                if (random.NextDouble() < 0.03)
                {
                    silentUntil[host] = step + random.Next(4, 9);
                    continue;
                }
                if (random.NextDouble() < 0.05)
                {
                    continue;
                }
                var name = $"daemon{host + 1}";
                var snapshot = Host(name, Enumerable.Range(0, Vms).Where(vm => placement[vm] == host + 1)
                    .Select(vm => Vm(Names[vm % Names.Length], vm, running[vm] ? DomainState.Running : DomainState.Shutoff, NatNic(Mac(vm))))
                    .ToArray());
                var boundIps = new HashSet<int>();
                for (var vm = 0; vm < Vms; vm++)
                {
                    // A running VM's neighbour entry is there most of the time; one address per MAC at a time.
                    if (placement[vm] == host + 1 && running[vm] && random.NextDouble() < 0.75 && boundIps.Add(address[vm]))
                    {
                        snapshot.WithNeighbour(Ips[address[vm]], Mac(vm), NeighbourState.Reachable);
                    }
                }
                reports.Add(new Report(name, Start.AddSeconds(step * StepSeconds + host), snapshot));
            }
        }
        return reports;
    }

    /// <summary>
    /// The same rules, replayed in plain memory: per host, facts open at the first report that
    /// states them and end at the first that does not; a gap longer than three intervals ends
    /// everything at the report before it; a binding back within the window continues unless the
    /// host fell silent since or another MAC took the address meanwhile.
    /// </summary>
    private sealed class Oracle
    {
        private readonly Dictionary<string, HostLog> hosts = [];

        public void Apply(Report report)
        {
            if (!hosts.TryGetValue(report.Host, out var log))
            {
                hosts[report.Host] = log = new HostLog();
            }
            log.Apply(report);
        }

        public IEnumerable<string> Where(string query, DateTimeOffset at, DateTimeOffset now)
        {
            var domains = hosts.SelectMany(h => h.Value.Domains.HoldingAt(at, h.Value.End(now)).Select(d => (Host: h.Key, Domain: d))).ToList();
            var nics = hosts.SelectMany(h => h.Value.Nics.HoldingAt(at, h.Value.End(now)).Select(n => (Host: h.Key, Nic: n))).ToList();
            var bindings = hosts.SelectMany(h => h.Value.Bindings.HoldingAt(at, h.Value.End(now))).ToList();
            IEnumerable<(string Host, DomainKey Domain)> matches;
            if (MacAddressText.TryNormalize(query, out var mac))
            {
                matches = domains.Where(d => nics.Any(n => n.Host == d.Host && n.Nic.Uuid == d.Domain.Uuid && n.Nic.Mac == mac));
            }
            else if (Ips.Contains(query))
            {
                var macs = bindings.Where(b => b.Ip == query).Select(b => b.Mac).ToHashSet(StringComparer.Ordinal);
                matches = domains.Where(d => nics.Any(n => n.Host == d.Host && n.Nic.Uuid == d.Domain.Uuid && macs.Contains(n.Nic.Mac)));
            }
            else
            {
                matches = domains.Where(d => d.Domain.Name == query);
            }
            return matches.Select(d =>
            {
                var macs = nics.Where(n => n.Host == d.Host && n.Nic.Uuid == d.Domain.Uuid).Select(n => n.Nic.Mac).ToHashSet(StringComparer.Ordinal);
                var ips = bindings.Where(b => macs.Contains(b.Mac)).Select(b => b.Ip).Order(StringComparer.Ordinal);
                return $"{d.Host} {d.Domain.Uuid} {d.Domain.State} [{string.Join(' ', ips)}]";
            }).Order(StringComparer.Ordinal).ToList();
        }
    }

    private sealed record DomainKey(string Uuid, string Name, DomainState State);

    private sealed record NicKey(string Uuid, string Mac);

    private sealed record BindingKey(string Mac, string Ip);

    private sealed class HostLog
    {
        private DateTimeOffset? lastReport;
        private readonly List<DateTimeOffset> silenceStarts = [];
        private TimeSpan Limit => Rules.SilenceLimit(StepSeconds * 1000);

        public Spans<DomainKey> Domains { get; } = new();

        public Spans<NicKey> Nics { get; } = new();

        public Spans<BindingKey> Bindings { get; } = new();

        /// <summary>Where open spans end for a question asked now: at the last report if the host is silent now.</summary>
        public DateTimeOffset End(DateTimeOffset now) => now - lastReport > Limit ? lastReport!.Value : DateTimeOffset.MaxValue;

        public void Apply(Report report)
        {
            if (lastReport is { } last && report.At - last > Limit)
            {
                Domains.CloseAll(last);
                Nics.CloseAll(last);
                Bindings.CloseAll(last);
                silenceStarts.Add(last);
            }
            lastReport = report.At;
            var snapshot = report.Snapshot;
            Domains.Set(snapshot.Domains.Select(d => new DomainKey(d.Uuid, d.Name, d.State)), report.At, rejoin: null);
            Nics.Set(snapshot.Domains.SelectMany(d => d.Nics.Select(n => new NicKey(d.Uuid, n.Mac))), report.At, rejoin: null);
            Bindings.Set(snapshot.Neighbours.Select(n => new BindingKey(n.Mac, n.Ip)), report.At, rejoin: (key, ended) =>
                report.At - ended <= Rules.RejoinWindow
                && !silenceStarts.Any(s => s >= ended)
                && !Bindings.All.Any(o => o.Key.Ip == key.Ip && o.Key.Mac != key.Mac && o.From >= ended));
        }
    }

    private sealed class Spans<T> where T : notnull
    {
        public List<Span<T>> All { get; } = [];

        public IEnumerable<T> HoldingAt(DateTimeOffset at, DateTimeOffset openEnd) =>
            All.Where(s => s.From <= at && at < (s.To ?? openEnd)).Select(s => s.Key);

        public void CloseAll(DateTimeOffset at)
        {
            foreach (var span in All.Where(s => s.To is null))
            {
                span.To = at;
            }
        }

        public void Set(IEnumerable<T> present, DateTimeOffset at, Func<T, DateTimeOffset, bool>? rejoin)
        {
            var wanted = present.ToHashSet();
            foreach (var span in All.Where(s => s.To is null && !wanted.Contains(s.Key)))
            {
                span.To = at;
            }
            foreach (var key in wanted.Where(k => !All.Any(s => s.To is null && s.Key.Equals(k))))
            {
                var ended = All.Where(s => s.Key.Equals(key) && s.To is not null).MaxBy(s => s.To);
                if (ended is not null && rejoin is not null && rejoin(key, ended.To!.Value))
                {
                    ended.To = null;
                }
                else
                {
                    All.Add(new Span<T>(key, at));
                }
            }
        }
    }

    private sealed class Span<T>(T key, DateTimeOffset from)
    {
        public T Key { get; } = key;

        public DateTimeOffset From { get; } = from;

        public DateTimeOffset? To { get; set; }
    }
}

public sealed class HistoryModelOnSqliteTests() : HistoryModelTests(StoreKind.Sqlite);

public sealed class HistoryModelOnPostgresTests() : HistoryModelTests(StoreKind.Postgres);
