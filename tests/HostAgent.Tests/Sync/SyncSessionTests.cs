using DaemonNet.HostAgent.Sync;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.HostAgent.Tests.Sync;

public class SyncSessionTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static HostSnapshot Observed(int second, string vm)
    {
        var snapshot = new HostSnapshot
        {
            Host = new HostIdentity { Name = "daemon1" },
            AgentTime = Timestamp.FromDateTimeOffset(T0.AddSeconds(second)),
            Counters = new CounterSample { BootId = "boot" },
        };
        snapshot.Domains.Add(new Domain { Uuid = "5f0c8a52-0001-4a5e-9c1e-000000000001", Name = vm, State = DomainState.Running });
        return snapshot;
    }

    private static string Kind(AgentMessage message) => message.BodyCase switch
    {
        AgentMessage.BodyOneofCase.Snapshot => "snapshot",
        AgentMessage.BodyOneofCase.Heartbeat => "heartbeat",
        _ => "other",
    };

    [Fact]
    public void Observe_NewStream_SendsTheFirstObservationWholeThenHeartbeatsUntilTheContentChanges()
    {
        var session = new SyncSession("daemon1");

        var messages = new[] { Observed(0, "web1"), Observed(10, "web1"), Observed(20, "web2"), Observed(30, "web2") }.Select(session.Observe).ToList();

        Assert.Equal(["snapshot", "heartbeat", "snapshot", "heartbeat"], messages.Select(Kind), StringComparer.Ordinal);
        Assert.Equal([1UL, 2UL, 3UL, 4UL], messages.Select(m => m.Sequence));
        Assert.Equal(ContentHash.Of(Observed(20, "web2")), messages[3].Heartbeat.ContentHash);
        Assert.Equal(T0.AddSeconds(30), messages[3].Heartbeat.AgentTime.ToDateTimeOffset());
        Assert.Equal("boot", messages[3].Heartbeat.Counters.BootId);
        Assert.Equal(messages[3].Heartbeat.ContentHash, session.SentHash);
    }

    [Fact]
    public void ResyncRequested_SendsTheNextObservationWholeEvenWhenUnchanged()
    {
        var session = new SyncSession("daemon1");
        session.Observe(Observed(0, "web1"));

        session.ResyncRequested();

        Assert.Null(session.SentHash);
        Assert.Equal("snapshot", Kind(session.Observe(Observed(10, "web1"))));
        Assert.Equal("heartbeat", Kind(session.Observe(Observed(20, "web1"))));
    }

    [Fact]
    public void Replay_JournalEntries_CarryTheirObservedTimesAndTheFirstLiveObservationContinuesFromTheLastHash()
    {
        var journal = new OutageJournal();
        journal.Record(Observed(0, "web1"), ContentHash.Of(Observed(0, "web1")));
        journal.Record(Observed(10, "web1"), ContentHash.Of(Observed(10, "web1")));
        journal.Record(Observed(20, "web2"), ContentHash.Of(Observed(20, "web2")));
        var session = new SyncSession("daemon1");
        var now = T0.AddMinutes(5);

        var replayed = journal.Drain().Select(e => session.Replay(e, now)).ToList();
        var live = session.Observe(Observed(300, "web2"));

        Assert.Equal(["snapshot", "heartbeat", "snapshot"], replayed.Select(Kind), StringComparer.Ordinal);
        Assert.All(replayed, m => Assert.True(m.Replayed));
        Assert.All(replayed, m => Assert.Equal(now, m.SentAt.ToDateTimeOffset()));
        Assert.Equal([T0, T0.AddSeconds(10), T0.AddSeconds(20)],
            replayed.Select(m => (m.Snapshot?.AgentTime ?? m.Heartbeat.AgentTime).ToDateTimeOffset()));
        Assert.Equal("daemon1", replayed[1].Heartbeat.HostName);
        Assert.Equal("heartbeat", Kind(live));
        Assert.False(live.Replayed);
        Assert.Equal(4UL, live.Sequence);
    }

    [Fact]
    public void Replay_DoesNotChangeTheJournalsSnapshot()
    {
        var observed = Observed(0, "web1");
        var session = new SyncSession("daemon1");

        var message = session.Replay(new OutageJournal.Entry(T0.AddSeconds(-5), ContentHash.Of(observed), observed), T0);

        Assert.Equal(T0.AddSeconds(-5), message.Snapshot.AgentTime.ToDateTimeOffset());
        Assert.Equal(T0, observed.AgentTime.ToDateTimeOffset());
    }
}
