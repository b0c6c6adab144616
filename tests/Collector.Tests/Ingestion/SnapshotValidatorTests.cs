using DaemonNet.Collector.Ingestion;
using DaemonNet.Protos.V1;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Ingestion;

public class SnapshotValidatorTests
{
    [Fact]
    public void Validate_WellFormedSnapshot_HasNoProblem()
    {
        var snapshot = Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01")))
            .WithLease("192.168.122.45", "52:54:00:aa:00:01", TimeSpan.FromHours(1))
            .WithNeighbour("2001:db8::45", "52:54:00:aa:00:01", NeighbourState.Reachable);

        Assert.Null(SnapshotValidator.Validate(snapshot));
    }

    public static TheoryData<HostSnapshot, string> Problems() => new()
    {
        { new HostSnapshot(), "the snapshot has no host identity" },
        { Host("bad host"), "host name 'bad host' is not a host name" },
        { Host(""), "host name '' is not a host name" },
        { Host("daemon1", new Domain { Uuid = "nope", Name = "x" }), "domains[0].uuid 'nope' is not a uuid" },
        { Host("daemon1", new Domain { Uuid = Uuid(1) }), $"domains[0] ({Uuid(1)}) has no name" },
        { Host("daemon1", Vm(new string('x', 1025), 1)), "domains[0].name is 1025 characters long, more than the 1024 allowed" },
        { Host("daemon1", Vm("a", 1, DomainState.Running, NatNic("52:54:00:AA:00:01"))), "domains[0].nics[0].mac '52:54:00:AA:00:01' is not a MAC address" },
        { Host("daemon1").WithNeighbour("10.0.0.300", "52:54:00:aa:00:01", NeighbourState.Reachable), "neighbours[0].ip '10.0.0.300' is not an IP address" },
        { Host("daemon1").WithNeighbour("2001:DB8::1", "", NeighbourState.Failed), "neighbours[0].ip '2001:DB8::1' is not an IP address in canonical form" },
        { Host("daemon1").WithLease("10.0.0.1", "", TimeSpan.FromHours(1)), "leases[0].mac '' is not a MAC address" },
        { Host("daemon1", Vm("a", 1, DomainState.Running, Enumerable.Range(0, 65).Select(i => NatNic($"52:54:00:aa:00:{i:x2}")).ToArray())), "domains[0].nics: 65 entries, more than the 64 allowed" },
    };

    [Theory]
    [MemberData(nameof(Problems))]
    public void Validate_BadSnapshot_SaysWhatAndWhere(HostSnapshot snapshot, string expected)
    {
        Assert.StartsWith(expected, SnapshotValidator.Validate(snapshot));
    }

    [Theory]
    [InlineData("domains", SnapshotValidator.MaxDomains)]
    [InlineData("networks", SnapshotValidator.MaxNetworks)]
    [InlineData("links", SnapshotValidator.MaxLinks)]
    [InlineData("leases", SnapshotValidator.MaxLeases)]
    [InlineData("errors", SnapshotValidator.MaxErrors)]
    public void Validate_OneEntryOverACountLimit_IsRefusedNamingTheLimit(string list, int max)
    {
        var snapshot = Host("daemon1");
        for (var i = 0; i <= max; i++)
        {
            switch (list)
            {
                case "domains": snapshot.Domains.Add(Vm($"vm{i}", i)); break;
                case "networks": snapshot.Networks.Add(new Network { Name = $"n{i}" }); break;
                case "links": snapshot.Links.Add(new Link { Name = $"l{i}" }); break;
                case "leases": snapshot.Leases.Add(new Lease { Ip = "10.0.0.1", Mac = "52:54:00:00:00:01" }); break;
                default: snapshot.Errors.Add(new SourceError { Source = "kernel" }); break;
            }
        }

        Assert.Equal($"{list}: {max + 1} entries, more than the {max} allowed", SnapshotValidator.Validate(snapshot));
    }

    [Fact]
    public void Validate_TooManyNeighbours_IsRefused()
    {
        var snapshot = Host("daemon1");
        snapshot.Neighbours.Add(Enumerable.Range(0, SnapshotValidator.MaxNeighbours + 1).Select(_ => new Neighbour()));

        Assert.Equal("neighbours: 100001 entries, more than the 100000 allowed", SnapshotValidator.Validate(snapshot));
    }
}
