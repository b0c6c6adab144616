using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.RegularExpressions;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Certificates;

/// <summary>
/// Creates the cluster CA and the certificates it issues (ECDSA P-256), as PEM files in one
/// folder: <c>NAME.pem</c> and <c>NAME-key.pem</c>, keys readable by their owner only.
/// </summary>
public static partial class ClusterCertificates
{
    public const string AuthorityName = "ca";
    public const string CollectorName = "collector";
    private static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")]
    private static partial Regex NamePattern();

    /// <summary>Creates ca.pem, ca-key.pem, collector.pem and collector-key.pem; refuses to replace an existing CA.</summary>
    public static IReadOnlyList<string> Init(string directory, IEnumerable<string> subjectAlternativeNames, TimeSpan lifetime, DateTimeOffset now)
    {
        Directory.CreateDirectory(directory);
        var caPath = Path.Combine(directory, AuthorityName + ".pem");
        if (File.Exists(caPath))
        {
            throw new InvalidOperationException($"{caPath} exists already: a cluster has one CA. Use 'certs issue' for more certificates, or another --dir for a new cluster");
        }
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest("CN=DaemonNet cluster CA, OU=ca", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(certificateAuthority: true, hasPathLengthConstraint: true, pathLengthConstraint: 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, critical: true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        using var authority = request.CreateSelfSigned(now.AddMinutes(-5), now + AuthorityLifetime);
        Write(directory, AuthorityName, authority, key);
        var written = new List<string> { caPath, KeyPath(directory, AuthorityName) };
        written.AddRange(Issue(directory, CollectorName, ClusterTrust.CollectorRole, subjectAlternativeNames, lifetime, now));
        return written;
    }

    /// <summary>Issues NAME.pem and NAME-key.pem for a role, signed by the CA in the folder.</summary>
    public static IReadOnlyList<string> Issue(string directory, string name, string role, IEnumerable<string> subjectAlternativeNames, TimeSpan lifetime, DateTimeOffset now)
    {
        if (!NamePattern().IsMatch(name))
        {
            throw new ArgumentException($"'{name}' is not a usable name: letters, digits, '.', '-' and '_' (an agent's name is its host name)");
        }
        if (role is not (ClusterTrust.AgentRole or ClusterTrust.ReaderRole or ClusterTrust.CollectorRole))
        {
            throw new ArgumentException($"'{role}' is not a role: use agent or reader");
        }
        var caPath = Path.Combine(directory, AuthorityName + ".pem");
        if (!File.Exists(caPath) || !File.Exists(KeyPath(directory, AuthorityName)))
        {
            throw new InvalidOperationException($"no CA in {directory} (ca.pem and ca-key.pem): create it with 'daemonnet-collector certs init --dir {directory}'");
        }
        using var authority = X509Certificate2.CreateFromPemFile(caPath, KeyPath(directory, AuthorityName));
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}, OU={role}", key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [role == ClusterTrust.CollectorRole ? new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication") : new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")],
            critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        request.CertificateExtensions.Add(AlternativeNames(name, role, subjectAlternativeNames));
        var notAfter = now + lifetime < authority.NotAfter ? now + lifetime : new DateTimeOffset(authority.NotAfter);
        using var certificate = request.Create(authority, now.AddMinutes(-5), notAfter, RandomNumberGenerator.GetBytes(16));
        Write(directory, name, certificate, key);
        return [Path.Combine(directory, name + ".pem"), KeyPath(directory, name)];
    }

    // The collector's certificate must name every address agents dial; loopback is always added.
    private static X509Extension AlternativeNames(string name, string role, IEnumerable<string> extra)
    {
        var builder = new SubjectAlternativeNameBuilder();
        var names = new List<string> { name };
        if (role == ClusterTrust.CollectorRole)
        {
            names.AddRange(["localhost", "127.0.0.1", "::1"]);
        }
        names.AddRange(extra);
        foreach (var entry in names.Distinct())
        {
            if (IPAddress.TryParse(entry, out var address))
            {
                builder.AddIpAddress(address);
            }
            else
            {
                builder.AddDnsName(entry);
            }
        }
        return builder.Build();
    }

    private static string KeyPath(string directory, string name) => Path.Combine(directory, name + "-key.pem");

    private static void Write(string directory, string name, X509Certificate2 certificate, ECDsa key)
    {
        File.WriteAllText(Path.Combine(directory, name + ".pem"), certificate.ExportCertificatePem() + "\n");
        var keyPath = KeyPath(directory, name);
        File.Delete(keyPath);
        using var stream = new FileStream(keyPath, new FileStreamOptions
        {
            Mode = FileMode.CreateNew,
            Access = FileAccess.Write,
            UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite,
        });
        using var writer = new StreamWriter(stream);
        writer.Write(key.ExportPkcs8PrivateKeyPem() + "\n");
    }
}
