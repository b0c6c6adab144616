namespace DaemonNet.Collector.Facts;

/// <summary>A libvirt network of one host. Fields are long where SQLite stores integers, so that Dapper builds it straight from a row.</summary>
public sealed record NetworkFact(string Name, string Uuid, string Bridge, string ForwardMode, long Active, string Addresses);
