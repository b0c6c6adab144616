using System.Security.Cryptography.X509Certificates;

namespace DaemonNet.Protos.Security;

/// <summary>
/// Who a certificate speaks for in a DaemonNet cluster, and whether the cluster CA issued it. Every
/// certificate's subject is <c>CN=&lt;name&gt;, OU=&lt;role&gt;</c>: an agent's name is its host's.
/// All three programs trust only the cluster CA, never the system's store.
/// </summary>
public static class ClusterTrust
{
    public const string AgentRole = "agent";
    public const string ReaderRole = "reader";
    public const string CollectorRole = "collector";

    public static bool IsIssuedBy(X509Certificate2 certificate, X509Certificate2 authority, out string problem)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.CustomTrustStore.Add(authority);
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        if (chain.Build(certificate))
        {
            problem = "";
            return true;
        }
        problem = string.Join("; ", chain.ChainStatus.Select(s => s.StatusInformation.Trim()).Where(s => s.Length > 0).Distinct(StringComparer.Ordinal));
        return false;
    }

    /// <summary>A certificate's SHA-256 fingerprint as an admin compares and pins it: sha256:HEX (lower case).</summary>
    public static string Fingerprint(X509Certificate2 certificate) =>
        "sha256:" + Convert.ToHexStringLower(certificate.GetCertHash(System.Security.Cryptography.HashAlgorithmName.SHA256));

    public static (string Name, string Role) Identity(X509Certificate2 certificate) =>
        (certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false),
         Part(certificate.SubjectName, OrganizationalUnitOid));

    private const string OrganizationalUnitOid = "2.5.4.11";

    private static string Part(X500DistinguishedName name, string oid) =>
        name.EnumerateRelativeDistinguishedNames()
            .Where(r => r.GetSingleElementType().Value == oid)
            .Select(r => r.GetSingleElementValue() ?? "")
            .FirstOrDefault() ?? "";
}
