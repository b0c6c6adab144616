using DaemonNet.Collector.Ingestion;
using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using Google.Protobuf.WellKnownTypes;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Ingestion;

public class AgentMessageValidatorTests
{
    private static string? Problem(HostSnapshot snapshot) => AgentMessageValidator.Problem(new AgentMessage { Sequence = 1, Snapshot = snapshot });

    private static int MaxCount(string field) => WireLimits.Of(field).MaxCount;

    [Fact]
    public void Problem_WellFormedSnapshot_IsNone()
    {
        var snapshot = Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic("52:54:00:aa:00:01")))
            .WithLease("192.168.122.45", "52:54:00:aa:00:01", TimeSpan.FromHours(1))
            .WithNeighbour("2001:db8::45", "52:54:00:aa:00:01", NeighbourState.Reachable);

        Assert.Null(Problem(snapshot));
    }

    public static TheoryData<HostSnapshot, string> Problems() => new()
    {
        { new HostSnapshot(), "snapshot.host is missing" },
        { Host("bad host"), "snapshot.host.name 'bad host' is not a host name" },
        { Host("daemon1\n"), "snapshot.host.name 'daemon1?' is not a host name" },
        { Host(""), "snapshot.host.name is empty" },
        { Host("daemon1", new Domain { Uuid = "nope", Name = "x" }), "snapshot.domains[0].uuid 'nope' is not a uuid" },
        { Host("daemon1", new Domain { Uuid = Uuid(1) }), "snapshot.domains[0].name is empty" },
        { Host("daemon1", Vm(new string('x', 257), 1)), "snapshot.domains[0].name is 257 characters long, more than the 256 allowed" },
        { Host("daemon1", Vm("a", 1, DomainState.Running, NatNic("52:54:00:AA:00:01"))), "snapshot.domains[0].nics[0].mac '52:54:00:AA:00:01' is not a MAC address" },
        { Host("daemon1", Vm("a", 1, DomainState.Running, NatNic("52:54:00:aa:00:1\n"))), "snapshot.domains[0].nics[0].mac '52:54:00:aa:00:1?' is not a MAC address" },
        { Host("daemon1").WithNeighbour("10.0.0.300", "52:54:00:aa:00:01", NeighbourState.Reachable), "snapshot.neighbours[0].ip '10.0.0.300' is not an IP address" },
        { Host("daemon1").WithNeighbour("2001:DB8::1", "", NeighbourState.Failed), "snapshot.neighbours[0].ip '2001:DB8::1' is not an IP address in canonical form" },
        { Host("daemon1").WithLease("10.0.0.1", "", TimeSpan.FromHours(1)), "snapshot.leases[0].mac is empty" },
        { Host("daemon1", Vm("a", 1, DomainState.Running, Enumerable.Range(0, 17).Select(i => NatNic($"52:54:00:aa:00:{i:x2}")).ToArray())), "snapshot.domains[0].nics: 17 entries, more than the 16 allowed" },
        { Host("daemon1", Vm("a", 1), Vm("b", 1)), $"snapshot.domains[1].uuid '{Uuid(1)}' is already snapshot.domains[0].uuid; each may appear once" },
        { Host("daemon1").WithError("kernel").WithError("kernel"), "snapshot.errors[1].source 'kernel' is already snapshot.errors[0].source" },
        { Host("daemon1", Vm("a\u001b[2Jb", 1)), "snapshot.domains[0].name contains a control character (U+001B)" },
        { WithInterval(Host("daemon1"), new Duration { Seconds = Duration.MaxSeconds, Nanos = 999_999_999 }), "snapshot.interval (315576000000 s, 999999999 ns) is not a duration from 100ms to 1d" },
        { WithInterval(Host("daemon1"), new Duration { Seconds = 1, Nanos = -5 }), "snapshot.interval (1 s, -5 ns) is not a duration" },
        { WithAgentTime(Host("daemon1"), Timestamp.FromDateTime(DateTime.MaxValue.ToUniversalTime())), "snapshot.agent_time (253402300799 s, 999999900 ns since 1970) is not a time between 1970-01-01 and 3000-01-01" },
        { WithAgentTime(Host("daemon1"), new Timestamp { Seconds = 1, Nanos = -1 }), "snapshot.agent_time (1 s, -1 ns since 1970) is not a time" },
        { Host("daemon1", Vm("a", 1, (DomainState)42)), "snapshot.domains[0].state is 42, which is no DomainState" },
    };

    private static HostSnapshot WithInterval(HostSnapshot snapshot, Duration interval)
    {
        snapshot.Interval = interval;
        return snapshot;
    }

    private static HostSnapshot WithAgentTime(HostSnapshot snapshot, Timestamp time)
    {
        snapshot.AgentTime = time;
        return snapshot;
    }

    [Theory]
    [MemberData(nameof(Problems))]
    public void Problem_BadSnapshot_SaysWhatAndWhere(HostSnapshot snapshot, string expected)
    {
        Assert.StartsWith(expected, Problem(snapshot));
    }

    [Fact]
    public void Problem_CountersNamingOneLinkTwice_AreRefused()
    {
        var snapshot = Host("daemon1");
        snapshot.Counters = new CounterSample { BootId = "b" };
        snapshot.Counters.Links.Add([new LinkCounters { Link = "he-ipv6", Ifindex = 4 }, new LinkCounters { Link = "he-ipv6", Ifindex = 4 }]);

        Assert.Equal("snapshot.counters.links[1].link 'he-ipv6' is already snapshot.counters.links[0].link; each may appear once", Problem(snapshot));
    }

    [Fact]
    public void Problem_HeartbeatForANameThatIsNoHostName_SaysSo()
    {
        var problem = AgentMessageValidator.Problem(new AgentMessage { Heartbeat = new Heartbeat { HostName = "a/b" } });

        Assert.StartsWith("heartbeat.host_name 'a/b' is not a host name", problem);
    }

    [Theory]
    [InlineData("domains")]
    [InlineData("networks")]
    [InlineData("links")]
    [InlineData("leases")]
    [InlineData("errors")]
    [InlineData("configured")]
    public void Problem_OneEntryOverACountLimit_IsRefusedNamingTheLimit(string list)
    {
        var max = MaxCount($"HostSnapshot.{list}");
        var snapshot = Host("daemon1");
        for (var i = 0; i <= max; i++)
        {
            switch (list)
            {
                case "domains": snapshot.Domains.Add(Vm($"vm{i}", i)); break;
                case "networks": snapshot.Networks.Add(new Network { Name = $"n{i}" }); break;
                case "links": snapshot.Links.Add(new Link { Name = $"l{i}" }); break;
                case "leases": snapshot.Leases.Add(new Lease { Ip = "10.0.0.1", Mac = "52:54:00:00:00:01" }); break;
                case "configured": snapshot.Configured.Add(new ConfiguredInterface { Name = "eth0" }); break;
                default: snapshot.Errors.Add(new SourceError { Source = $"source{i}" }); break;
            }
        }

        Assert.Equal($"snapshot.{list}: {max + 1} entries, more than the {max} allowed", Problem(snapshot));
    }
}
