using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Tests.Storage;

/// <summary>The hash that stands for a fact in the open rows the store keeps: equal facts hash alike, and every value counts.</summary>
public class FactHashTests
{
    [Fact]
    public void Of_RandomBindings_HashAlikeExactlyWhenEqual()
    {
        var random = new Random(15);
        string Pick(params string[] choices) => choices[random.Next(choices.Length)];
        var facts = Enumerable.Range(0, 2_000).Select(_ => new BindingFact(Pick("52:54:00:00:00:01", "52:54:00:00:00:02"), Pick("10.0.0.1", "10.0.0.10", ""),
            random.Next(3), Pick("virbr0", "br0"), random.Next(2), Pick("", "web1"), Pick("", "id"), random.Next(3) == 0 ? null : random.Next(2),
            random.Next(3) == 0 ? null : 0)).ToList();

        foreach (var (first, second) in facts.Zip(facts.Skip(1)))
        {
            Assert.Equal(first == second, FactHash<BindingFact>.Of(first) == FactHash<BindingFact>.Of(second));
        }
    }

    [Fact]
    public void Of_TextMovedBetweenValues_Differs() =>
        Assert.NotEqual(FactHash<(string, string)>.Of(("ab", "c")), FactHash<(string, string)>.Of(("a", "bc")));

    [Fact]
    public void Of_NoValueAndZero_Differ() =>
        Assert.NotEqual(FactHash<(string, long?)>.Of(("x", null)), FactHash<(string, long?)>.Of(("x", 0)));

    [Fact]
    public void Of_Text_HashesTheTextItself() =>
        Assert.NotEqual(FactHash<string>.Of("web1"), FactHash<string>.Of("web2"));
}
