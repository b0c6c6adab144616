using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// What one committed snapshot changed that people watch for: the VMs, NICs and address bindings
/// whose intervals it opened or closed, with the host, the commit time, and the VM each MAC
/// belongs to on that host. A host that returned from a silence had every interval closed at its
/// last report and opened again; what is news then is only what differs from before the silence
/// (<see cref="SinceSilence"/>): a MAC first seen in that snapshot is still first seen.
/// </summary>
public sealed class CommittedFacts
{
    public string Host { get; private set; } = "";

    /// <summary>Unix milliseconds, the collector's clock: the changed intervals' bounds.</summary>
    public long At { get; private set; }

    public List<DomainFact> DomainsOpened { get; } = [];

    public List<DomainFact> DomainsClosed { get; } = [];

    public List<NicFact> NicsOpened { get; } = [];

    public List<NicFact> NicsClosed { get; } = [];

    public List<BindingFact> BindingsOpened { get; } = [];

    public List<BindingFact> BindingsClosed { get; } = [];

    private HostSnapshot? snapshot;
    private Dictionary<string, (string Uuid, string Name)>? vmOfMac;

    /// <summary>The VM (uuid, name) that has each MAC on this host, from the snapshot; built only when a watcher asks.</summary>
    public IReadOnlyDictionary<string, (string Uuid, string Name)> VmOfMac => vmOfMac ??= VmsByMac(snapshot);

    public bool IsEmpty => DomainsOpened.Count + DomainsClosed.Count + NicsOpened.Count + NicsClosed.Count
        + BindingsOpened.Count + BindingsClosed.Count == 0;

    internal void Domains(Changes<DomainFact> changes)
    {
        DomainsOpened.AddRange(changes.Opened);
        DomainsClosed.AddRange(changes.Closed.Select(c => c.Fact));
    }

    internal void Nics(Changes<NicFact> changes)
    {
        NicsOpened.AddRange(changes.Opened);
        NicsClosed.AddRange(changes.Closed.Select(c => c.Fact));
    }

    internal void Bindings(Changes<BindingFact> changes)
    {
        BindingsOpened.AddRange(changes.Opened);
        BindingsClosed.AddRange(changes.Closed.Select(c => c.Fact));
    }

    /// <summary>
    /// Leaves only the differences from what held before the host's silence: what held before and
    /// again now is not news, what held before and not now ended, what holds now and not before began.
    /// </summary>
    internal void SinceSilence(IReadOnlyList<DomainFact> domains, IReadOnlyList<NicFact> nics, IReadOnlyList<BindingFact> bindings)
    {
        Net(DomainsOpened, DomainsClosed, domains, d => d);
        Net(NicsOpened, NicsClosed, nics, n => n.Key);
        Net(BindingsOpened, BindingsClosed, bindings, b => b.Key);
    }

    private static void Net<T, TKey>(List<T> opened, List<T> closed, IReadOnlyList<T> before, Func<T, TKey> key)
        where TKey : notnull
    {
        var now = opened.Select(key).ToHashSet();
        var earlier = before.Select(key).ToHashSet();
        opened.RemoveAll(f => earlier.Contains(key(f)));
        closed.AddRange(before.Where(f => !now.Contains(key(f))));
    }

    internal CommittedFacts For(HostSnapshot committed, long at)
    {
        Host = committed.Host.Name;
        At = at;
        snapshot = committed;
        return this;
    }

    private static Dictionary<string, (string Uuid, string Name)> VmsByMac(HostSnapshot? snapshot)
    {
        var byMac = new Dictionary<string, (string Uuid, string Name)>(StringComparer.Ordinal);
        foreach (var domain in snapshot?.Domains ?? [])
        {
            foreach (var nic in domain.Nics)
            {
                byMac.TryAdd(nic.Mac, (domain.Uuid, domain.Name));
            }
        }
        return byMac;
    }
}
