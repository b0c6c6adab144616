namespace DaemonNet.Collector.Facts;

/// <summary>A kernel link of one host, with its addresses and tunnel endpoints. Fields are long where SQLite stores integers, so that Dapper builds it straight from a row.</summary>
public sealed record LinkFact(string Name, string Kind, string Mac, string Master, string Operstate, long Mtu, string Addresses,
    string TunnelLocal, string TunnelRemote, long TunnelTtl);
