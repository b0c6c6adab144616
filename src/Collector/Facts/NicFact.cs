namespace DaemonNet.Collector.Facts;

/// <summary>
/// A VM's NIC as libvirt configures it. Its key is the VM, the MAC and what it is attached to; the
/// tap device (<c>vnetN</c>) is an attribute: libvirt renumbers it at every start and clears it at
/// shutoff, and that must not cut the NIC's interval. Fields are long where SQLite stores integers,
/// so that Dapper builds it straight from a row.
/// </summary>
public sealed record NicFact(string DomainUuid, string Mac, long Kind, string Network, string Bridge, string TargetDev)
{
    [System.Text.Json.Serialization.JsonIgnore]
    public (string, string, long, string, string) Key => (DomainUuid, Mac, Kind, Network, Bridge);
}
