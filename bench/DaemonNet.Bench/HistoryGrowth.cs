using DaemonNet.Collector.Facts;
using System.Data.Common;
using System.Diagnostics;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Storage.Postgres;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Dapper;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Bench;

/// <summary>
/// How the history store grows and answers over a simulated month of a large club, fed through
/// the real <see cref="Store"/> on a real file.
///
/// The churn, per host and simulated day: every VM reboots once a week on average (two snapshots:
/// shut off, then running on a new tap device; a nat-bridge VM gets a new lease address one reboot
/// in ten), one VM is created and one deleted every three days, and one VM in five days migrates
/// to another host. Every VM has one NIC: 60 % on nat-bridge (a lease plus IPv4 and IPv6 neighbour
/// entries), 40 % on forward-bridge (an IPv4 neighbour entry on br0). Each host also has 8 links
/// plus one tap per running VM.
///
/// Between changes a real agent sends a heartbeat every interval. Heartbeats write no fact rows,
/// which this scenario measures on a sample of real heartbeats; the month itself replays only the
/// changed snapshots, so the silence rule is set beyond the month (no heartbeat keeps hosts fresh).
///
/// Hosts report concurrently, as real agents do: up to <see cref="InFlight"/> snapshots are handed
/// to the store before the oldest is waited for, and each round's heartbeats all at once.
/// </summary>
internal sealed class HistoryGrowth(int hosts, int vmsPerHost, int days, int queries, string databasePath)
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-10-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
    private const int InFlight = 64;
    private static readonly string[] FactTables = ["domains", "nics", "networks", "links", "bindings"];
    private readonly Random random = new(42);
    private readonly Dictionary<int, List<SimulatedVm>> vmsOnHost = [];
    private int nextVm;

    private sealed class SimulatedVm
    {
        public required int Number { get; init; }
        public required int Host { get; set; }
        public required bool Nat { get; init; }
        public bool Running { get; set; } = true;
        public int Tap { get; set; }
        public int Address { get; set; }

        public string Name => $"vm{Number:D6}";
        public string Uuid => $"5f0c8a52-{Number / 65536:x4}-4a5e-9c1e-{Number:x12}";
        public string Mac => $"52:54:{Number >> 24 & 255:x2}:{Number >> 16 & 255:x2}:{Number >> 8 & 255:x2}:{Number & 255:x2}";
        public string Ipv4 => Nat ? $"192.168.{122 + Address / 250 % 4}.{2 + Address % 250}" : $"10.{Number >> 16 & 255}.{Number >> 8 & 255}.{Number & 255}";
    }

    private static readonly string[] CountedLinks = ["br0", "virbr0", "he-ipv6"];

    public async Task RunAsync()
    {
        var rules = new IntervalRules(SilentAfter: TimeSpan.FromDays(days + 100), RejoinWindow: TimeSpan.FromMinutes(15));
        using var store = new Store(databasePath, rules);
        for (var h = 0; h < hosts; h++)
        {
            for (var v = 0; v < vmsPerHost; v++)
            {
                AddVm(h);
            }
        }

        Console.WriteLine($"history growth: {hosts} hosts x {vmsPerHost} VMs, {days} simulated days, database {databasePath}");
        var ingest = Stopwatch.StartNew();
        var snapshots = 0;
        for (var h = 0; h < hosts; h++)
        {
            await store.Ingest.ApplyAsync(FactCatalogue.Report(Snapshot(h, Start), Start.ToUnixTimeMilliseconds()), Start, CancellationToken.None);
            snapshots++;
        }
        var afterLoad = CountRows();
        Console.WriteLine($"initial load: {snapshots} snapshots in {ingest.Elapsed.TotalSeconds:0.0} s, {afterLoad} fact rows");

        var heartbeats = await MeasureHeartbeatsAsync(store, counters: false);
        var counted = await MeasureHeartbeatsAsync(store, counters: true);

        // Each day: every host's changes at random instants, applied in time order.
        var changed = Stopwatch.StartNew();
        var changedSnapshots = 0;
        var rowsPerDay = new List<long>();
        for (var day = 0; day < days; day++)
        {
            var before = CountRows();
            var events = DayOfChanges(Start.AddDays(day));
            var pending = new Queue<Task>();
            foreach (var (at, change, touched) in events.OrderBy(e => e.At))
            {
                change();
                foreach (var h in touched)
                {
                    pending.Enqueue(store.Ingest.ApplyAsync(FactCatalogue.Report(Snapshot(h, at), at.ToUnixTimeMilliseconds()), at, CancellationToken.None));
                    changedSnapshots++;
                    if (pending.Count >= InFlight)
                    {
                        await pending.Dequeue();
                    }
                }
            }
            await Task.WhenAll(pending);
            rowsPerDay.Add(CountRows() - before);
        }
        var changedRate = changedSnapshots / changed.Elapsed.TotalSeconds;

        var fileBytes = DatabaseBytes();
        Console.WriteLine();
        Console.WriteLine($"changed snapshots: {changedSnapshots} in {changed.Elapsed.TotalSeconds:0.0} s ({changedRate:0} per second, {vmsPerHost} VMs each, store only, no gRPC)");
        Console.WriteLine($"heartbeats: {heartbeats.Count} in {heartbeats.Seconds:0.00} s ({heartbeats.Count / heartbeats.Seconds:0} per second); fact rows written by them: {heartbeats.FactRowsWritten}");
        Console.WriteLine($"heartbeats carrying the counters of 3 links (br0, virbr0, he-ipv6): {counted.Count} in {counted.Seconds:0.00} s ({counted.Count / counted.Seconds:0} per second); "
            + $"fact rows written: {counted.FactRowsWritten}, traffic rows: {Scalar("SELECT count(*) FROM link_traffic")}");
        Console.WriteLine($"fact rows: {CountRows()} after {days} days ({afterLoad} after the initial load)");
        Console.WriteLine($"rows added per simulated day: mean {rowsPerDay.Average():0}, min {rowsPerDay.Min()}, max {rowsPerDay.Max()}");
        foreach (var table in FactTables.Append("host_silences"))
        {
            Console.WriteLine($"  {table}: {Scalar($"SELECT count(*) FROM {table}")} rows, {Scalar($"SELECT count(*) FROM {table} WHERE valid_to IS NULL")} open");
        }
        Console.WriteLine($"database: {fileBytes / 1_048_576.0:0.0} MiB ({fileBytes / (double)days / 1_048_576:0.00} MiB per simulated day)");

        await new QueryLatency(store, databasePath, queries).RunAsync();
    }

    /// <summary>One day's changes on every host, at random instants: restarts, new and removed VMs, and moves.</summary>
    private List<(DateTimeOffset At, Action Change, int[] Hosts)> DayOfChanges(DateTimeOffset dayStart)
    {
        var events = new List<(DateTimeOffset At, Action Change, int[] Hosts)>();
        for (var h = 0; h < hosts; h++)
        {
            var host = h;
            foreach (var vm in On(host).Where(_ => random.NextDouble() < 1.0 / 7))
            {
                var at = dayStart.AddSeconds(random.Next(86_000));
                events.Add((at, () => vm.Running = false, [host]));
                events.Add((at.AddSeconds(30), () => Reboot(vm), [host]));
            }
            if (random.NextDouble() < 1.0 / 3)
            {
                events.Add((dayStart.AddSeconds(random.Next(86_000)), () => AddVm(host), [host]));
            }
            if (random.NextDouble() < 1.0 / 3)
            {
                events.Add((dayStart.AddSeconds(random.Next(86_000)), () => RemoveVm(host), [host]));
            }
            if (hosts > 1 && random.NextDouble() < 1.0 / 5 && On(host).FirstOrDefault() is { } moving)
            {
                var target = (host + 1 + random.Next(hosts - 1)) % hosts;
                events.Add((dayStart.AddSeconds(random.Next(86_000)), () => Move(moving, target), [host, target]));
            }
        }
        return events;
    }

    /// <param name="counters">Heartbeats carry traffic counters, as real agents' do for their tunnels and bridges.</param>
    private async Task<(int Count, double Seconds, long FactRowsWritten)> MeasureHeartbeatsAsync(Store store, bool counters)
    {
        var hashes = Enumerable.Range(0, hosts).Select(h => ContentHash.Of(Snapshot(h, Start))).ToArray();
        var before = CountRows() + FactTables.Sum(t => Scalar($"SELECT count(valid_to) FROM {t}"));
        var watch = Stopwatch.StartNew();
        var count = 0;
        var rounds = Math.Max(1, 20_000 / hosts);
        for (var round = 1; round <= rounds; round++)
        {
            var confirmations = new List<Task<bool>>();
            for (var h = 0; h < hosts; h++)
            {
                var heartbeat = new Heartbeat { HostName = HostName(h), ContentHash = hashes[h], AgentTime = Timestamp.FromDateTimeOffset(Start) };
                if (counters)
                {
                    heartbeat.Counters = new CounterSample { BootId = "boot" };
                    heartbeat.Counters.Links.Add(CountedLinks.Select((link, i) => new LinkCounters
                    {
                        Link = link, Ifindex = (uint)i + 3, RxBytes = (ulong)round * 1_000_000, TxBytes = (ulong)round * 250_000, RxPackets = (ulong)round * 800, TxPackets = (ulong)round * 300,
                    }));
                }
                confirmations.Add(store.Ingest.ConfirmAsync(FactCatalogue.Report(heartbeat), Start.AddSeconds(round * 0.01), CancellationToken.None));
                count++;
            }
            if ((await Task.WhenAll(confirmations)).Any(confirmed => !confirmed))
            {
                throw new InvalidOperationException($"a heartbeat of round {round} was refused");
            }
        }
        var seconds = watch.Elapsed.TotalSeconds;
        var after = CountRows() + FactTables.Sum(t => Scalar($"SELECT count(valid_to) FROM {t}"));
        return (count, seconds, after - before);
    }

    private static string HostName(int host) => $"daemon{host + 1:D4}";

    private List<SimulatedVm> On(int host) => vmsOnHost.TryGetValue(host, out var list) ? list : vmsOnHost[host] = [];

    private void AddVm(int host)
    {
        var vm = new SimulatedVm { Number = nextVm++, Host = host, Nat = random.NextDouble() < 0.6, Address = random.Next(1000) };
        On(host).Add(vm);
    }

    private void RemoveVm(int host)
    {
        if (On(host).FirstOrDefault() is { } vm)
        {
            On(host).Remove(vm);
        }
    }

    // A VM already moved or removed by an earlier event of the day stays where it is.
    private void Move(SimulatedVm vm, int target)
    {
        if (On(vm.Host).Remove(vm))
        {
            vm.Host = target;
            On(target).Add(vm);
        }
    }

    private void Reboot(SimulatedVm vm)
    {
        vm.Running = true;
        vm.Tap++;
        if (vm.Nat && random.NextDouble() < 0.1)
        {
            vm.Address = random.Next(1000);
        }
    }

    private HostSnapshot Snapshot(int host, DateTimeOffset at)
    {
        var snapshot = new HostSnapshot
        {
            Host = new HostIdentity { Name = HostName(host), MachineId = $"{host:x32}", AgentVersion = "0.1.0", Kernel = "6.1.0-26-amd64" },
            AgentTime = Timestamp.FromDateTimeOffset(at),
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
        };
        snapshot.Networks.Add(new Network { Name = "nat-bridge", Bridge = "virbr0", ForwardMode = "nat", Active = true });
        snapshot.Networks.Add(new Network { Name = "forward-bridge", Bridge = "br0", ForwardMode = "bridge", Active = true });
        foreach (var name in new[] { "lo", "eno1", "eno2", "br0", "virbr0", "he-ipv6", "bond0", "virbr0-nic" })
        {
            snapshot.Links.Add(new Link { Name = name, Operstate = "UP", Mtu = 1500 });
        }
        foreach (var vm in On(host))
        {
            var tap = vm.Running ? $"vnet{vm.Number % 10_000}-{vm.Tap}" : "";
            var domain = new Domain { Uuid = vm.Uuid, Name = vm.Name, State = vm.Running ? DomainState.Running : DomainState.Shutoff, Persistent = true };
            domain.Nics.Add(new Nic
            {
                Mac = vm.Mac, Kind = NicKind.Network, Network = vm.Nat ? "nat-bridge" : "forward-bridge",
                Bridge = vm.Nat ? "virbr0" : "br0", TargetDev = tap,
            });
            snapshot.Domains.Add(domain);
            if (vm.Running)
            {
                snapshot.Links.Add(new Link { Name = tap, Kind = "tun", Master = vm.Nat ? "virbr0" : "br0", Operstate = "UNKNOWN", Mtu = 1500 });
            }
            if (vm.Nat)
            {
                snapshot.Leases.Add(new Lease { Mac = vm.Mac, Ip = vm.Ipv4, Hostname = vm.Name, Bridge = "virbr0", Expiry = Timestamp.FromDateTimeOffset(at.AddHours(1)) });
                snapshot.Neighbours.Add(new Neighbour { Ip = vm.Ipv4, Mac = vm.Mac, Device = "virbr0", State = NeighbourState.Reachable });
                snapshot.Neighbours.Add(new Neighbour { Ip = $"2001:db8:{host:x}::{vm.Number:x}", Mac = vm.Mac, Device = "virbr0", State = NeighbourState.Stale });
            }
            else
            {
                snapshot.Neighbours.Add(new Neighbour { Ip = vm.Ipv4, Mac = vm.Mac, Device = "br0", State = NeighbourState.Reachable });
            }
        }
        return snapshot;
    }

    private long CountRows() => FactTables.Sum(t => Scalar($"SELECT count(*) FROM {t}"));

    private long DatabaseBytes()
    {
        if (PostgresAddress.IsOne(databasePath))
        {
            return Scalar("SELECT pg_database_size(current_database())");
        }
        using var connection = Open();
        connection.Execute("PRAGMA wal_checkpoint(TRUNCATE)");
        return new FileInfo(databasePath).Length;
    }

    private long Scalar(string sql) => Scalar<long>(sql);

    private T Scalar<T>(string sql)
    {
        using var connection = Open();
        return connection.ExecuteScalar<T>(sql)!;
    }

    private DbConnection Open() => BenchDatabase.Open(databasePath);
}
