namespace DaemonNet.Collector.Facts;

/// <summary>
/// What one committed snapshot changed that people watch for: the VMs, NICs and address bindings
/// whose intervals it opened or closed, with the host, the commit time, and the VM each MAC
/// belongs to on that host. A host that returned from a silence had every interval closed at its
/// last report and opened again; what is news then is only what differs from before the silence
/// (the ingest writer measures against that): a MAC first seen in that snapshot is still first seen.
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

    private Func<IReadOnlyDictionary<string, (string Uuid, string Name)>>? findVms;
    private IReadOnlyDictionary<string, (string Uuid, string Name)>? vmOfMac;

    /// <summary>The VM (uuid, name) that has each MAC on this host, from the report; found only when a watcher asks.</summary>
    public IReadOnlyDictionary<string, (string Uuid, string Name)> VmOfMac => vmOfMac ??= findVms?.Invoke() ?? new Dictionary<string, (string, string)>(StringComparer.Ordinal);

    public bool IsEmpty => DomainsOpened.Count + DomainsClosed.Count + NicsOpened.Count + NicsClosed.Count
        + BindingsOpened.Count + BindingsClosed.Count == 0;

    public void Domains(Changes<DomainFact> changes)
    {
        DomainsOpened.AddRange(changes.Opened);
        DomainsClosed.AddRange(changes.Closed.Select(c => c.Fact));
    }

    public void Nics(Changes<NicFact> changes)
    {
        NicsOpened.AddRange(changes.Opened);
        NicsClosed.AddRange(changes.Closed.Select(c => c.Fact));
    }

    public void Bindings(Changes<BindingFact> changes)
    {
        BindingsOpened.AddRange(changes.Opened);
        BindingsClosed.AddRange(changes.Closed.Select(c => c.Fact));
    }

    /// <summary>Names the write: its host and the instant it was filed at, and how to find each MAC's VM when a watcher asks.</summary>
    public CommittedFacts For(string host, long at, Func<IReadOnlyDictionary<string, (string Uuid, string Name)>> vmsByMac)
    {
        Host = host;
        At = at;
        findVms = vmsByMac;
        return this;
    }
}
