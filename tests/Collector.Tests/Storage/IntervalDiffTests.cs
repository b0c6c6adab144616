using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Tests.Storage;

public class IntervalDiffTests
{
    private sealed record Fact(string Key, string Value);

    private static ulong WholeFact(Fact fact) => FactHash<Fact>.Of(fact);

    private static ulong KeyOnly(Fact fact) => FactHash<string>.Of(fact.Key);

    private static KeptRow[] Kept(Func<Fact, ulong> key, params OpenFact<Fact>[] rows) => [.. rows.Select(row => IntervalDiff.Keep(row, key))];

    [Fact]
    public void Compute_WholeFactAsKey_ClosesVanishedOpensNewLeavesEqualAlone()
    {
        var open = Kept(WholeFact, new(1, new("a", "1")), new(2, new("b", "1")));

        var diff = IntervalDiff.Compute(open, [new Fact("a", "1"), new Fact("b", "2")], WholeFact);

        Assert.Equal([2L], diff.Close);
        Assert.Equal([new Fact("b", "2")], diff.Open);
        Assert.Empty(diff.Update);
    }

    [Fact]
    public void Compute_KeyWithChangedAttributes_UpdatesInPlace()
    {
        var open = Kept(KeyOnly, new(1, new("a", "1")), new(2, new("b", "1")));

        var diff = IntervalDiff.Compute(open, [new Fact("a", "2"), new Fact("c", "1")], KeyOnly);

        Assert.Equal([2L], diff.Close);
        Assert.Equal([new Fact("c", "1")], diff.Open);
        Assert.Equal([new OpenFact<Fact>(1, new("a", "2"))], diff.Update);
    }

    [Fact]
    public void Compute_NothingChanged_IsNoChange()
    {
        var open = Kept(WholeFact, new OpenFact<Fact>(1, new("a", "1")));

        var diff = IntervalDiff.Compute(open, [new Fact("a", "1")], WholeFact);

        Assert.Empty(diff.Close);
        Assert.Empty(diff.Open);
        Assert.Empty(diff.Update);
    }

    [Fact]
    public void Compute_DuplicateFactsInSnapshot_OpenOnlyOnce()
    {
        var diff = IntervalDiff.Compute([], [new Fact("a", "1"), new Fact("a", "1")], WholeFact);

        Assert.Single(diff.Open);
    }
}
