using System.Net.Security;
using System.Security.Cryptography.X509Certificates;
using DaemonNet.Protos.Security;

namespace DaemonNet.HostAgent.Enrolling;

/// <summary>
/// The certificate the agent shows the collector, which renewal replaces while the agent runs:
/// every new TLS connection asks for it, so that connections opened after a renewal show the new
/// one. An agent running --insecure has none.
/// </summary>
public sealed class AgentCredentials
{
    private readonly TlsFiles? files;
    private volatile X509Certificate2? current;

    /// <param name="files">The agent's TLS files; null for --insecure.</param>
    /// <param name="renewable">Whether the agent keeps the certificate itself (enrolled, in its state folder) rather than files an admin manages.</param>
    public AgentCredentials(TlsFiles? files, bool renewable)
    {
        this.files = files;
        current = files?.LoadCertificate();
        Renewable = renewable && files is not null;
    }

    public X509Certificate2 Current => current ?? throw new InvalidOperationException("an agent running --insecure has no certificate");

    public bool Renewable { get; }

    /// <summary>The client options of every connection: the cluster CA as the only trust, and the current certificate; null for --insecure.</summary>
    public SslClientAuthenticationOptions? ClientOptions()
    {
        if (files is null)
        {
            return null;
        }
        var options = files.ServerOnlyClientOptions();
        options.LocalCertificateSelectionCallback = (_, _, _, _, _) => Current;
        return options;
    }

    public void Replace(X509Certificate2 renewed) => current = renewed;
}
