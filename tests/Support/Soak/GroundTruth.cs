namespace DaemonNet.Tests.Support.Soak;

/// <summary>The kinds of fact the soak holds the store to.</summary>
public enum FactKind
{
    /// <summary>A VM defined on a host, with its name and state: subject the uuid, value "name|state".</summary>
    Placement,

    /// <summary>A NIC of a VM: subject the uuid, value "mac|network".</summary>
    Nic,

    /// <summary>A MAC bound to an address by a host's table: subject the MAC, value "ip|source|device".</summary>
    Binding,

    /// <summary>The tunnel link's state: subject the link, value "up" or "down".</summary>
    Link,
}

/// <summary>One fact, named the same way by the ground truth and by what the checker reads from the collector.</summary>
public sealed record Fact(FactKind Kind, string Host, string Subject, string Value)
{
    public override string ToString() => $"{Kind} {Host} {Subject} {Value}";
}

/// <summary>What the truth says the store must show for a fact at an instant.</summary>
public enum Expectation
{
    MustHold,
    MustNotHold,

    /// <summary>The fact changed within the allowed delay: either answer is right.</summary>
    Either,
}

/// <summary>What an outage may hold up: every fact of a host, or only what libvirt states.</summary>
public enum ImpairmentScope
{
    All,
    Libvirt,
}

/// <summary>
/// A stretch in which a fault may hold up what a host's facts become in the store (<see cref="Host"/>
/// null: every host). <see cref="Cut"/> is how long the fault itself kept the host from the
/// collectors, within the stretch: what a stale alert is judged by.
/// </summary>
public sealed record Impairment(string Fault, string? Host, ImpairmentScope Scope, long From, long To)
{
    public long Cut { get; init; } = To - From;
}

/// <summary>
/// What really held, recorded as the soak made it happen: every fact's spans on the harness's
/// clock (the collector's too: one machine), the natural end of a lease that expires by itself,
/// and the outages the faults caused. It answers, for a fact and an instant, whether the store
/// must show it, must not, or may do either within the documented allowances: the propagation
/// delay, and around an outage its length plus the time to recover.
/// </summary>
public sealed class GroundTruth(SoakSettings settings)
{
    private readonly Lock gate = new();
    private readonly Dictionary<Fact, List<Span>> spans = [];
    private readonly Dictionary<string, Dictionary<Fact, long?>> current = new(StringComparer.Ordinal);
    private readonly List<Impairment> impairments = [];

    /// <summary>One span of a fact; <see cref="Until"/> is when a lease runs out by itself.</summary>
    private sealed class Span(long from)
    {
        public long From { get; } = from;

        public long? To { get; set; }

        public long? Until { get; set; }

        public long End => Math.Min(To ?? long.MaxValue, Until ?? long.MaxValue);
    }

    public IReadOnlyList<Impairment> Impairments
    {
        get
        {
            lock (gate)
            {
                return [.. impairments];
            }
        }
    }

    public IReadOnlyCollection<Fact> Facts
    {
        get
        {
            lock (gate)
            {
                return [.. spans.Keys];
            }
        }
    }

    /// <summary>
    /// The host's facts as they are from <paramref name="at"/> (Unix ms), each with the instant it
    /// ends by itself if it does (a lease's expiry). Facts that appear open a span, facts that go
    /// close theirs, and a fact whose natural end passed before now ended then.
    /// </summary>
    public void Set(string host, IReadOnlyDictionary<Fact, long?> facts, long at)
    {
        lock (gate)
        {
            var before = current.GetValueOrDefault(host) ?? [];
            foreach (var (fact, _) in before.Where(b => !facts.ContainsKey(b.Key)))
            {
                var open = spans[fact][^1];
                open.To ??= at;
            }
            foreach (var (fact, until) in facts)
            {
                var list = spans.TryGetValue(fact, out var found) ? found : spans[fact] = [];
                var last = list.Count > 0 ? list[^1] : null;
                if (last is null || last.To is not null || last.End <= at)
                {
                    if (last is { To: null })
                    {
                        last.To = last.End;
                    }
                    list.Add(new Span(at) { Until = until });
                }
                else
                {
                    last.Until = until;
                }
            }
            current[host] = new Dictionary<Fact, long?>(facts);
        }
    }

    public void Impaired(Impairment impairment)
    {
        lock (gate)
        {
            impairments.Add(impairment);
        }
    }

    public bool Holds(Fact fact, long at)
    {
        lock (gate)
        {
            return spans.TryGetValue(fact, out var list) && list.Any(s => s.From <= at && at < s.End);
        }
    }

    /// <summary>Every instant at which the fact began or ended, in order: what the checker looks at closely.</summary>
    public IEnumerable<long> Changes(Fact fact)
    {
        lock (gate)
        {
            return spans.TryGetValue(fact, out var list)
                ? [.. list.SelectMany(s => s.End == long.MaxValue ? [s.From] : new[] { s.From, s.End })]
                : [];
        }
    }

    /// <summary>How far back from <paramref name="at"/> a change of the fact may still be on its way to the store.</summary>
    public long Lag(Fact fact, long at)
    {
        var lag = (long)settings.Propagation.TotalMilliseconds;
        var recovery = (long)settings.Recovery.TotalMilliseconds;
        lock (gate)
        {
            foreach (var outage in impairments)
            {
                var applies = (outage.Host is null || outage.Host == fact.Host)
                    && (outage.Scope == ImpairmentScope.All || fact.Kind is FactKind.Placement or FactKind.Nic);
                if (applies && at >= outage.From && at <= outage.To + recovery)
                {
                    lag = Math.Max(lag, at - outage.From + (long)settings.Propagation.TotalMilliseconds);
                }
            }
        }
        return lag;
    }

    /// <summary>
    /// Whether the store must show the fact at the instant: it must when the fact held throughout
    /// the lag before it, must not when it held at no time in it, and either may be right otherwise.
    /// </summary>
    public Expectation Expect(Fact fact, long at) => Expect(fact, at - Lag(fact, at), at);

    /// <summary>The same over an explicit window of instants [from, to].</summary>
    public Expectation Expect(Fact fact, long from, long to)
    {
        lock (gate)
        {
            if (!spans.TryGetValue(fact, out var list))
            {
                return Expectation.MustNotHold;
            }
            if (list.Any(s => s.From <= from && s.End > to))
            {
                return Expectation.MustHold;
            }
            return list.Any(s => s.From <= to && s.End > from) ? Expectation.Either : Expectation.MustNotHold;
        }
    }
}
