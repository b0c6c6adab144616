namespace DaemonNet.Collector.Facts;

/// <summary>A VM as libvirt defines it on one host. Fields are long where SQLite stores integers, so that Dapper builds it straight from a row.</summary>
public sealed record DomainFact(string Uuid, string Name, long State, long Persistent);
