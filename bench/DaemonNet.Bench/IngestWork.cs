using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Traffic;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Bench;

/// <summary>
/// The collector's CPU work per 50-VM snapshot outside SQLite (BenchmarkDotNet): parsing the
/// message, checking it against the contract's limits, hashing its content, turning it into facts and diffing them against the open rows; and
/// the traffic summary over a day of one-minute rows. Set against the store's per-snapshot time,
/// it shows where ingest time goes.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(InProcess))]
public class IngestWork
{
    private HostSnapshot snapshot = new();
    private byte[] bytes = [];
    private List<KeptRow> openDomains = [];
    private List<KeptRow> openBindings = [];
    private List<TrafficRow> day = [];

    [GlobalSetup]
    public void Setup()
    {
        snapshot = Snapshot(50);
        bytes = snapshot.ToByteArray();
        openDomains = Stated<DomainFact>().Select((f, i) => IntervalDiff.Keep(new OpenFact<DomainFact>(i, f), FactCatalogue.Domains.KeyHash)).ToList();
        openBindings = Stated<BindingFact>().Select((f, i) => IntervalDiff.Keep(new OpenFact<BindingFact>(i, f), FactCatalogue.Bindings.KeyHash)).ToList();
        day = Enumerable.Range(0, 1440).Select(m => new TrafficRow(1, "he-ipv6", 0, m * 60_000L, (m + 1) * 60_000L, 1_000_000 + m, 200_000, 900, 300)).ToList();
    }

    [Benchmark]
    public HostSnapshot Parse() => HostSnapshot.Parser.ParseFrom(bytes);

    [Benchmark]
    public string Hash() => ContentHash.Of(snapshot);

    [Benchmark]
    public string? Validate() => MessageValidator.Problem(snapshot);

    /// <summary>A snapshot's facts of one kind, as the ingest service makes them.</summary>
    private IEnumerable<T> Stated<T>()
        where T : notnull =>
        FactCatalogue.Report(snapshot, 0).Facts.OfType<StatedFacts<T>>().SelectMany(s => s.Facts);

    [Benchmark]
    public int DiffUnchanged() =>
        IntervalDiff.Compute(openDomains, Stated<DomainFact>(), FactCatalogue.Domains.KeyHash).Open.Count
        + IntervalDiff.Compute(openBindings, Stated<BindingFact>(), FactCatalogue.Bindings.KeyHash).Open.Count;

    [Benchmark]
    public TrafficFigures SummarizeDay() => TrafficWindow.Summarize(day, 0, current: true);

    private static HostSnapshot Snapshot(int vms)
    {
        var now = DateTimeOffset.Parse("2026-11-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        var built = new HostSnapshot
        {
            Host = new HostIdentity { Name = "daemon1", MachineId = new string('a', 32), AgentVersion = "0.1.0", Kernel = "6.1.0" },
            AgentTime = Timestamp.FromDateTimeOffset(now),
            Interval = Duration.FromTimeSpan(TimeSpan.FromSeconds(10)),
        };
        for (var vm = 0; vm < vms; vm++)
        {
            var mac = $"52:54:00:ab:00:{vm:x2}";
            var domain = new Domain { Uuid = $"5f0c8a52-0001-4a5e-9c1e-{vm:D12}", Name = $"vm{vm:D3}", State = DomainState.Running, Persistent = true };
            domain.Nics.Add(new Nic { Mac = mac, Kind = NicKind.Network, Network = "nat-bridge", Bridge = "virbr0", TargetDev = $"vnet{vm}" });
            built.Domains.Add(domain);
            built.Links.Add(new Link { Name = $"vnet{vm}", Kind = "tun", Master = "virbr0", Operstate = "UNKNOWN", Mtu = 1500 });
            built.Neighbours.Add(new Neighbour { Ip = $"192.168.122.{vm + 2}", Mac = mac, Device = "virbr0", State = NeighbourState.Reachable });
            built.Neighbours.Add(new Neighbour { Ip = $"2001:db8:beef:1::{vm + 2:x}", Mac = mac, Device = "virbr0", State = NeighbourState.Stale });
            built.Leases.Add(new Lease { Ip = $"192.168.122.{vm + 2}", Mac = mac, Hostname = domain.Name, Bridge = "virbr0", Expiry = Timestamp.FromDateTimeOffset(now.AddHours(1)) });
        }
        return built;
    }

    /// <summary>In the benchmark's own process: no project to generate and build, short runs.</summary>
    private sealed class InProcess : BenchmarkDotNet.Configs.ManualConfig
    {
        public InProcess() => AddJob(Job.ShortRun.WithToolchain(InProcessEmitToolchain.Instance));
    }
}
