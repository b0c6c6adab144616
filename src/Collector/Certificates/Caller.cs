namespace DaemonNet.Collector.Certificates;

/// <summary>Who a call speaks for: the name, role and serial number of its client certificate, which the TLS handshake already checked against the cluster CA.</summary>
public sealed record Caller(string Name, string Role, string Serial)
{
    public override string ToString() => $"{Role} {Name}";
}
