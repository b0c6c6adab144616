namespace DaemonNet.Collector.Storage;

/// <summary>A VM's NIC as libvirt configures it. Fields are long where SQLite stores integers, so that Dapper builds it straight from a row.</summary>
public sealed record NicFact(string DomainUuid, string Mac, long Kind, string Network, string Bridge, string TargetDev);
