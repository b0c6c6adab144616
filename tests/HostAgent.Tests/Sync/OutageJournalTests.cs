using DaemonNet.HostAgent.Sync;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.HostAgent.Tests.Sync;

public class OutageJournalTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.Parse("2026-11-03T14:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    private static HostSnapshot Observed(int second, string content, int padding = 0) => new()
    {
        Host = new HostIdentity { Name = "daemon1", MachineId = content + new string('x', padding) },
        AgentTime = Timestamp.FromDateTimeOffset(T0.AddSeconds(second)),
    };

    [Fact]
    public void Record_UnchangedContent_KeepsOnlyTheTimeAsAHeartbeat()
    {
        var journal = new OutageJournal();

        journal.Record(Observed(0, "a"), "a");
        journal.Record(Observed(10, "a"), "a");
        journal.Record(Observed(20, "b"), "b");

        var entries = journal.Drain();
        Assert.Equal(["a snapshot", "a heartbeat", "b snapshot"], entries.Select(e => $"{e.Hash} {(e.Snapshot is null ? "heartbeat" : "snapshot")}"), StringComparer.Ordinal);
        Assert.Equal(T0.AddSeconds(10), entries[1].ObservedAt);
        Assert.Equal(0, journal.Count);
    }

    [Fact]
    public void Record_PastTheEntryBound_DropsTheOldestAndTheNextHeartbeatInheritsItsSnapshot()
    {
        var journal = new OutageJournal();

        for (var i = 0; i <= OutageJournal.MaxEntries; i++)
        {
            journal.Record(Observed(i, "a"), "a");
        }

        Assert.Equal(OutageJournal.MaxEntries, journal.Count);
        Assert.Equal(1, journal.Dropped);
        var first = journal.Drain()[0];
        Assert.Equal((T0.AddSeconds(1), "a"), (first.ObservedAt, first.Hash));
        Assert.NotNull(first.Snapshot);
    }

    [Fact]
    public void Record_PastTheSnapshotBytes_DropsOldSnapshots()
    {
        var journal = new OutageJournal();

        for (var i = 0; i < 40; i++)
        {
            journal.Record(Observed(i, $"content{i}", padding: 1_000_000), $"hash{i}");
        }

        Assert.True(journal.Dropped > 0);
        Assert.True(journal.Count < 40);
        Assert.Equal("hash39", journal.Drain()[^1].Hash);
    }

    [Fact]
    public void Restore_UnsentEntries_GoBackAheadOfNewerOnes()
    {
        var journal = new OutageJournal();
        journal.Record(Observed(0, "a"), "a");
        journal.Record(Observed(10, "b"), "b");
        var drained = journal.Drain();
        journal.Record(Observed(20, "c"), "c");

        journal.Restore(drained.Skip(1));

        Assert.Equal(["b", "c"], journal.Drain().Select(e => e.Hash), StringComparer.Ordinal);
    }
}
