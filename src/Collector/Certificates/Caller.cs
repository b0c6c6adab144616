namespace DaemonNet.Collector.Certificates;

/// <summary>
/// Who a call speaks for: the name and role of its client certificate, which the TLS handshake
/// already checked against the cluster CA, or of its bearer token; <paramref name="Serial"/> names
/// the credential (a certificate's serial number, or "token ID").
/// </summary>
/// <param name="Credential">"certificate" or "token", for the sentences that refuse a caller.</param>
public sealed record Caller(string Name, string Role, string Serial, string Credential = "certificate")
{
    public override string ToString() => $"{Role} {Name}";
}
