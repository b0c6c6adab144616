namespace DaemonNet.Collector.Facts;

/// <summary>An open interval: its row id and the fact it holds.</summary>
public sealed record OpenFact<T>(long Id, T Fact);
