using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Tests.Storage;

public class IntervalDiffTests
{
    private sealed record Fact(string Key, string Value);

    [Fact]
    public void Compute_WholeFactAsKey_ClosesVanishedOpensNewLeavesEqualAlone()
    {
        OpenFact<Fact>[] open = [new(1, new("a", "1")), new(2, new("b", "1"))];

        var changes = IntervalDiff.Compute(open, [new Fact("a", "1"), new Fact("b", "2")], f => f);

        Assert.Equal([2L], changes.Closed.Select(c => c.Id));
        Assert.Equal([new Fact("b", "2")], changes.Opened);
        Assert.Empty(changes.Updated);
    }

    [Fact]
    public void Compute_KeyWithChangedAttributes_UpdatesInPlace()
    {
        OpenFact<Fact>[] open = [new(1, new("a", "1")), new(2, new("b", "1"))];

        var changes = IntervalDiff.Compute(open, [new Fact("a", "2"), new Fact("c", "1")], f => f.Key);

        Assert.Equal([2L], changes.Closed.Select(c => c.Id));
        Assert.Equal([new Fact("c", "1")], changes.Opened);
        Assert.Equal([new OpenFact<Fact>(1, new("a", "2"))], changes.Updated);
    }

    [Fact]
    public void Compute_NothingChanged_IsNoChange()
    {
        OpenFact<Fact>[] open = [new(1, new("a", "1"))];

        var changes = IntervalDiff.Compute(open, [new Fact("a", "1")], f => f);

        Assert.Empty(changes.Closed);
        Assert.Empty(changes.Opened);
        Assert.Empty(changes.Updated);
    }

    [Fact]
    public void Compute_DuplicateFactsInSnapshot_OpenOnlyOnce()
    {
        var changes = IntervalDiff.Compute([], [new Fact("a", "1"), new Fact("a", "1")], f => f);

        Assert.Single(changes.Opened);
    }
}
