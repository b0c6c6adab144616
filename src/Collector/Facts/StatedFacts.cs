namespace DaemonNet.Collector.Facts;

/// <summary>What a host's report states of one kind of fact, from one source: the whole set, which replaces the host's open intervals of that kind and group.</summary>
public abstract class StatedFacts
{
    public abstract FactKind Kind { get; }

    public abstract long Group { get; }

    public abstract int Count { get; }

    /// <summary>Hands the facts, with their type, to a writer.</summary>
    public abstract void WriteWith(IFactWriter writer);
}

/// <inheritdoc cref="StatedFacts"/>
public sealed class StatedFacts<T>(FactKind<T> kind, long group, IReadOnlyList<T> facts) : StatedFacts
    where T : notnull
{
    public override FactKind Kind => kind;

    public override long Group => group;

    public override int Count => facts.Count;

    public IReadOnlyList<T> Facts => facts;

    public override void WriteWith(IFactWriter writer) => writer.Write(kind, group, facts);
}

/// <summary>What writes stated facts: the store's interval writer.</summary>
public interface IFactWriter
{
    void Write<T>(FactKind<T> kind, long group, IReadOnlyList<T> facts)
        where T : notnull;
}
