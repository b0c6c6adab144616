namespace DaemonNet.Collector.Facts;

/// <summary>
/// What a VM's members wrote about it in libvirt: its title, description, owner and tags (the
/// tags joined by spaces). A VM without any has no such fact.
/// </summary>
public sealed record LabelFact(string DomainUuid, string Title, string Description, string Owner, string Tags);
