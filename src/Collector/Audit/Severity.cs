namespace DaemonNet.Collector.Audit;

/// <summary>How much a finding or an alert matters; the numbers are the contract's, mapped at the edges.</summary>
public enum Severity
{
    Info = 1,
    Warning = 2,
    Critical = 3,
}
