using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace DaemonNet.Protos.Security;

/// <summary>
/// The three PEM files every program is given: the cluster CA, its own certificate and its key.
/// Loading fails with a sentence naming the file and what to do.
/// </summary>
public sealed record TlsFiles(string CaFile, string CertFile, string KeyFile)
{
    public const string Missing =
        "mutual TLS needs --ca-file, --cert-file and --key-file (create them with 'daemonnet-collector certs init' and 'certs issue'), or run with --insecure on a network you trust";

    public bool IsComplete => CaFile.Length > 0 && CertFile.Length > 0 && KeyFile.Length > 0;

    /// <summary>
    /// For a client of the collector: present our certificate, and accept the collector only if
    /// the cluster CA issued its certificate for the address we dialled.
    /// </summary>
    public SslClientAuthenticationOptions ClientOptions()
    {
        var options = ServerOnlyClientOptions();
        options.ClientCertificates = [LoadCertificate()];
        return options;
    }

    /// <summary>Only the CA file is given: a member asking a collector with open reads, without a certificate of its own.</summary>
    public bool IsServerOnly => CaFile.Length > 0 && CertFile.Length == 0 && KeyFile.Length == 0;

    /// <summary>
    /// For a client without a certificate of its own (a member, when the collector's reads are
    /// open): accept the collector only if the cluster CA issued its certificate, and present none.
    /// </summary>
    public SslClientAuthenticationOptions ServerOnlyClientOptions()
    {
        var policy = new X509ChainPolicy { TrustMode = X509ChainTrustMode.CustomRootTrust, RevocationMode = X509RevocationMode.NoCheck };
        policy.CustomTrustStore.Add(LoadAuthority());
        return new SslClientAuthenticationOptions { CertificateChainPolicy = policy };
    }

    public X509Certificate2 LoadAuthority() => Load(CaFile, () => X509CertificateLoader.LoadCertificateFromFile(CaFile));

    public X509Certificate2 LoadCertificate() => Load(CertFile, () => X509Certificate2.CreateFromPemFile(CertFile, KeyFile));

    private static X509Certificate2 Load(string path, Func<X509Certificate2> load)
    {
        try
        {
            return load();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            throw new InvalidOperationException($"cannot load {path}: {e.Message}", e);
        }
    }
}
