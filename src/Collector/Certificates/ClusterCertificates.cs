using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;

namespace DaemonNet.Collector.Certificates;

/// <summary>
/// Creates the cluster CA and the certificates it issues (ECDSA P-256), as PEM files in one
/// folder: <c>NAME.pem</c> and <c>NAME-key.pem</c>, keys readable by their owner only. Each pair
/// is written whole or not at all, and a file is only ever replaced by one of its own kind.
/// </summary>
public static class ClusterCertificates
{
    public const string AuthorityName = "ca";
    public const string CollectorName = "collector";
    private static readonly TimeSpan AuthorityLifetime = TimeSpan.FromDays(3650);

    /// <summary>NAME-key.pem must be a file name (at most 255 bytes): names are shorter than host names may be.</summary>
    public const int MaxNameLength = 255 - 8;

    /// <summary>
    /// How far back a certificate's validity starts, for clocks a little behind: five minutes, or a
    /// tenth of a short lifetime, so that an agent renewing at two thirds of a short life does not
    /// find every new certificate two thirds through already.
    /// </summary>
    private static TimeSpan Backdate(TimeSpan lifetime) => lifetime < TimeSpan.FromMinutes(50) ? lifetime / 10 : TimeSpan.FromMinutes(5);

    /// <summary>The lifetime a certificate was issued with: its validity without the backdating.</summary>
    public static TimeSpan LifetimeOf(X509Certificate2 certificate)
    {
        var validity = certificate.NotAfter - certificate.NotBefore;
        return validity < TimeSpan.FromMinutes(55) ? validity * 10 / 11 : validity - TimeSpan.FromMinutes(5);
    }

    /// <summary>Creates ca.pem, ca-key.pem, collector.pem and collector-key.pem; refuses to replace an existing CA.</summary>
    public static IReadOnlyList<string> Init(string directory, IEnumerable<string> subjectAlternativeNames, TimeSpan lifetime, DateTimeOffset now)
    {
        Directory.CreateDirectory(directory);
        var caPath = Path.Combine(directory, AuthorityName + ".pem");
        if (File.Exists(caPath) || File.Exists(KeyPath(directory, AuthorityName)))
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

    /// <summary>
    /// Issues NAME.pem and NAME-key.pem for a role, signed by the CA in the folder. Reissuing a
    /// name revokes the certificate it replaces.
    /// </summary>
    public static IReadOnlyList<string> Issue(string directory, string name, string role, IEnumerable<string> subjectAlternativeNames, TimeSpan lifetime, DateTimeOffset now)
    {
        CheckName(name, role);
        using var authority = LoadAuthority(directory);
        using var replaced = ExistingCertificate(directory, name, authority);
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        using var certificate = Sign(authority, name, role, new PublicKey(key), subjectAlternativeNames, lifetime, now);
        Write(directory, name, certificate, key);
        RevokeReplaced(directory, name, replaced, now);
        return [Path.Combine(directory, name + ".pem"), KeyPath(directory, name)];
    }

    /// <summary>
    /// Issues NAME.pem and NAME-key.pem again, with a new key, for the same role, names and lifetime
    /// as the certificate there now, which is revoked as replaced: the collector's own certificate
    /// in one command (the collector reloads it on SIGHUP). A certificate whose key is kept by its
    /// host (an enrolled agent) is not renewed here: the host renews it itself.
    /// </summary>
    public static IReadOnlyList<string> Renew(string directory, string name, DateTimeOffset now)
    {
        X509Certificate2 existing;
        using (var authority = LoadAuthority(directory))
        {
            existing = ExistingCertificate(directory, name, authority)
                ?? throw new InvalidOperationException($"{Path.Combine(directory, name + ".pem")} does not exist: 'certs list --dir {directory}' shows the names there");
        }
        using (existing)
        {
            if (!File.Exists(KeyPath(directory, name)))
            {
                throw new InvalidOperationException($"the key of {name} is not in {directory}: its host keeps it, and renews the certificate itself");
            }
            var names = existing.Extensions.OfType<X509SubjectAlternativeNameExtension>()
                .SelectMany(e => e.EnumerateDnsNames().Concat(e.EnumerateIPAddresses().Select(a => a.ToString()))).ToList();
            return Issue(directory, name, ClusterTrust.Identity(existing).Role, names, LifetimeOf(existing), now);
        }
    }

    /// <summary>
    /// Issues NAME.pem for a key that stays with its owner (a host that enrolled or renews): only
    /// the certificate is written here. Reissuing a name revokes the certificate it replaces.
    /// </summary>
    public static X509Certificate2 IssueForKey(string directory, string name, string role, PublicKey key, TimeSpan lifetime, DateTimeOffset now)
    {
        CheckName(name, role);
        using var authority = LoadAuthority(directory);
        using var replaced = ExistingCertificate(directory, name, authority);
        var certificate = Sign(authority, name, role, key, [], lifetime, now);
        var files = new List<(string, string, UnixFileMode)>
        {
            (Path.Combine(directory, name + ".pem"), certificate.ExportCertificatePem() + "\n", PrivateFiles.OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
        };
        PrivateFiles.WriteAllAtomically(files);
        // A key file left from an earlier 'certs issue' belongs to the replaced certificate.
        File.Delete(KeyPath(directory, name));
        RevokeReplaced(directory, name, replaced, now);
        return certificate;
    }

    /// <summary>The certificate now in NAME.pem, if the cluster CA issued it.</summary>
    public static X509Certificate2? Current(string directory, string name)
    {
        using var authority = LoadAuthority(directory);
        return IssuedHere(directory, name, authority);
    }

    /// <summary>The SHA-256 fingerprint of the cluster CA, as hosts pin it when they enrol: sha256:HEX.</summary>
    public static string AuthorityFingerprint(string directory)
    {
        using var authority = LoadAuthority(directory);
        return ClusterTrust.Fingerprint(authority);
    }

    private static void CheckName(string name, string role)
    {
        if (!HostNames.IsValid(name) || name.Length > MaxNameLength)
        {
            throw new ArgumentException($"'{Shorten(name)}' is not a usable name: {HostNames.Rule}, and at most {MaxNameLength} characters so that NAME-key.pem is a file name (an agent's name is its host name)");
        }
        if (role is not (ClusterTrust.AgentRole or ClusterTrust.ReaderRole or ClusterTrust.CollectorRole))
        {
            throw new ArgumentException($"'{role}' is not a role: use agent or reader");
        }
        if (name == AuthorityName || name.EndsWith("-key", StringComparison.Ordinal) || (name == CollectorName) != (role == ClusterTrust.CollectorRole))
        {
            throw new ArgumentException(name == CollectorName || role == ClusterTrust.CollectorRole
                ? $"the name '{CollectorName}' and the role '{ClusterTrust.CollectorRole}' go together: they are the collector's own certificate"
                : $"the name '{name}' is reserved: '{AuthorityName}' is the cluster CA, and a name ending in '-key' would be another certificate's key file");
        }
    }

    private static X509Certificate2 Sign(X509Certificate2 authority, string name, string role, PublicKey key, IEnumerable<string> subjectAlternativeNames,
        TimeSpan lifetime, DateTimeOffset now)
    {
        var request = new CertificateRequest(new X500DistinguishedName($"CN={name}, OU={role}"), key, HashAlgorithmName.SHA256);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, critical: true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, critical: true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(
            [role == ClusterTrust.CollectorRole ? new Oid("1.3.6.1.5.5.7.3.1", "Server Authentication") : new Oid("1.3.6.1.5.5.7.3.2", "Client Authentication")],
            critical: false));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, critical: false));
        request.CertificateExtensions.Add(X509AuthorityKeyIdentifierExtension.CreateFromCertificate(authority, includeKeyIdentifier: true, includeIssuerAndSerial: false));
        request.CertificateExtensions.Add(AlternativeNames(name, role, subjectAlternativeNames));
        var authorityEnds = new DateTimeOffset(authority.NotAfter);
        var notAfter = now + lifetime < authorityEnds ? now + lifetime : authorityEnds;
        return request.Create(authority, now - Backdate(lifetime), notAfter, RandomNumberGenerator.GetBytes(16));
    }

    private static void RevokeReplaced(string directory, string name, X509Certificate2? replaced, DateTimeOffset now)
    {
        if (replaced is not null)
        {
            RevocationList.Add(RevocationPath(directory), new Revocation(replaced.SerialNumber, name, ClusterTrust.Identity(replaced).Role, now));
        }
    }

    /// <summary>Revokes the certificate now in NAME.pem; the collector refuses it from then on, without a restart.</summary>
    public static Revocation Revoke(string directory, string name, DateTimeOffset now)
    {
        if (name == AuthorityName)
        {
            throw new ArgumentException($"'{AuthorityName}' is the cluster CA: to replace it, run 'certs init' in a new folder and issue every certificate again");
        }
        using var authority = LoadAuthority(directory);
        using var certificate = ExistingCertificate(directory, name, authority)
            ?? throw new InvalidOperationException($"{Path.Combine(directory, name + ".pem")} does not exist: 'certs list --dir {directory}' shows the names there");
        var revocation = new Revocation(certificate.SerialNumber, name, ClusterTrust.Identity(certificate).Role, now);
        RevocationList.Add(RevocationPath(directory), revocation);
        return revocation;
    }

    /// <summary>Every certificate in the folder, with the revoked ones whose files were replaced since.</summary>
    public static IReadOnlyList<IssuedCertificate> List(string directory)
    {
        using var authority = LoadAuthority(directory);
        var revocations = RevocationList.Read(RevocationPath(directory));
        var revoked = revocations.ToDictionary(r => r.Serial, StringComparer.Ordinal);
        var issued = new List<IssuedCertificate>();
        foreach (var path in Directory.EnumerateFiles(directory, "*.pem").Where(p => !p.EndsWith("-key.pem", StringComparison.Ordinal)).Order(StringComparer.Ordinal))
        {
            var name = Path.GetFileNameWithoutExtension(path);
            if (name == AuthorityName || IssuedHere(directory, name, authority) is not { } certificate)
            {
                continue;
            }
            using (certificate)
            {
                var (_, role) = ClusterTrust.Identity(certificate);
                issued.Add(new IssuedCertificate(name, role, certificate.SerialNumber, new DateTimeOffset(certificate.NotAfter),
                    revoked.Remove(certificate.SerialNumber, out var revocation) ? revocation.RevokedAt : null)
                {
                    IssuedAt = new DateTimeOffset(certificate.NotAfter) - LifetimeOf(certificate),
                    Renewed = revocations.Any(r => r.Name == name && !string.Equals(r.Serial, certificate.SerialNumber, StringComparison.OrdinalIgnoreCase)),
                });
            }
        }
        issued.AddRange(revoked.Values.Select(r => new IssuedCertificate(r.Name, r.Role, r.Serial, null, r.RevokedAt)));
        return issued;
    }

    // A file the CA did not issue (another cluster's, a copy left by hand) is no certificate of this cluster to list.
    private static X509Certificate2? IssuedHere(string directory, string name, X509Certificate2 authority)
    {
        try
        {
            return ExistingCertificate(directory, name, authority);
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    public static string RevocationPath(string directory) => Path.Combine(directory, RevocationList.FileName);

    private static X509Certificate2 LoadAuthority(string directory)
    {
        var caPath = Path.Combine(directory, AuthorityName + ".pem");
        if (!File.Exists(caPath) || !File.Exists(KeyPath(directory, AuthorityName)))
        {
            throw new InvalidOperationException($"no CA in {directory} (ca.pem and ca-key.pem): create it with 'daemonnet-collector certs init --dir {directory}'");
        }
        try
        {
            return X509Certificate2.CreateFromPemFile(caPath, KeyPath(directory, AuthorityName));
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"{caPath} and its key {KeyPath(directory, AuthorityName)} do not load as a pair ({e.Message}); restore them from the backup", e);
        }
    }

    /// <summary>
    /// The certificate already in NAME.pem, if any. It may only be replaced by its own kind: a
    /// leaf certificate of this CA, beside a private key (or no key file at all).
    /// </summary>
    private static X509Certificate2? ExistingCertificate(string directory, string name, X509Certificate2 authority)
    {
        var path = Path.Combine(directory, name + ".pem");
        var keyPath = KeyPath(directory, name);
        if (File.Exists(keyPath) && !File.ReadAllText(keyPath).Contains("PRIVATE KEY-----", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"{keyPath} is not a private key; refusing to overwrite it. Move it away or choose another name");
        }
        if (!File.Exists(path))
        {
            return null;
        }
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificateFromFile(path);
        }
        catch (CryptographicException e)
        {
            throw new InvalidOperationException($"{path} is not a certificate; refusing to overwrite it. Move it away or choose another name", e);
        }
        if (certificate.Extensions.OfType<X509BasicConstraintsExtension>().Any(c => c.CertificateAuthority) || !ClusterTrust.IsIssuedBy(certificate, authority, out _))
        {
            certificate.Dispose();
            throw new InvalidOperationException($"{path} is not a certificate this cluster's CA issued; refusing to overwrite it. Move it away or choose another name");
        }
        return certificate;
    }

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";

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
        foreach (var entry in names.Distinct(StringComparer.Ordinal))
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

    private static void Write(string directory, string name, X509Certificate2 certificate, ECDsa key) =>
        PrivateFiles.WriteAllAtomically(
        [
            (KeyPath(directory, name), key.ExportPkcs8PrivateKeyPem() + "\n", PrivateFiles.OwnerReadWrite),
            (Path.Combine(directory, name + ".pem"), certificate.ExportCertificatePem() + "\n",
                PrivateFiles.OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead),
        ]);
}
