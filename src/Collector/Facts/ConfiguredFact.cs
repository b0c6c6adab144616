namespace DaemonNet.Collector.Facts;

/// <summary>An interfaces-file stanza of one host. Fields are long where SQLite stores integers, so that Dapper builds it straight from a row.</summary>
public sealed record ConfiguredFact(string Name, string Family, string Method, long Auto, string Address, string Netmask, string Endpoint,
    string Local, long Ttl, string Gateway, string Mode, string BridgePorts, string File, long Line);
