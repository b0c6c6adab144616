using System.Globalization;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.Security;

namespace DaemonNet.Collector.Enrolling;

/// <summary>
/// Requests of tokens made with --approve, waiting in <c>pending/</c> beside the CA: NAME.pub (the
/// host's public key, PEM) and NAME.txt (<c>TOKEN-ID CERT-LIFETIME REQUESTED-AT [denied]</c>), until
/// <c>certs approve NAME</c> issues the certificate or <c>certs deny NAME</c> refuses it.
/// </summary>
public static class PendingRequests
{
    public static string FolderIn(string directory) => Path.Combine(directory, "pending");

    public static void Add(string directory, string name, string tokenId, PublicKey key, TimeSpan lifetime, DateTimeOffset now)
    {
        var folder = FolderIn(directory);
        Directory.CreateDirectory(folder);
        PrivateFiles.WriteAllAtomically(
        [
            (Path.Combine(folder, name + ".pub"), new string(PemEncoding.Write("PUBLIC KEY", key.ExportSubjectPublicKeyInfo())) + "\n", PrivateFiles.OwnerReadWrite),
            (Path.Combine(folder, name + ".txt"), $"{tokenId} {DurationText.Format(lifetime)} {Format(now)}\n", PrivateFiles.OwnerReadWrite),
        ]);
    }

    public static PendingRequest? Find(string directory, string name)
    {
        var folder = FolderIn(directory);
        var about = Path.Combine(folder, name + ".txt");
        if (!File.Exists(about))
        {
            return null;
        }
        var parts = File.ReadAllText(about).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        if (parts.Length < 3 || !DurationText.TryParse(parts[1], out var lifetime)
            || !DateTimeOffset.TryParse(parts[2], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at))
        {
            throw new FormatException($"{about} is not 'TOKEN-ID CERT-LIFETIME REQUESTED-AT [denied]'; delete it and the host's .pub, and let the host ask again");
        }
        var pem = PemEncoding.Find(File.ReadAllText(Path.Combine(folder, name + ".pub")));
        var key = PublicKey.CreateFromSubjectPublicKeyInfo(Convert.FromBase64String(File.ReadAllText(Path.Combine(folder, name + ".pub"))[pem.Base64Data]), out _);
        return new PendingRequest(name, parts[0], key, lifetime, at, parts.Length > 3 && parts[3] == "denied");
    }

    public static IReadOnlyList<PendingRequest> List(string directory) =>
        Directory.Exists(FolderIn(directory))
            ? [.. Directory.EnumerateFiles(FolderIn(directory), "*.txt").Order(StringComparer.Ordinal)
                .Select(path => Find(directory, Path.GetFileNameWithoutExtension(path))).OfType<PendingRequest>()]
            : [];

    /// <summary>Issues the waiting request's certificate; the host picks it up when it asks again.</summary>
    public static X509Certificate2 Approve(string directory, string name, DateTimeOffset now)
    {
        var pending = Waiting(directory, name);
        var certificate = ClusterCertificates.IssueForKey(directory, name, ClusterTrust.AgentRole, pending.Key, pending.CertificateLifetime, now);
        File.Delete(Path.Combine(FolderIn(directory), name + ".pub"));
        File.Delete(Path.Combine(FolderIn(directory), name + ".txt"));
        return certificate;
    }

    /// <summary>Refuses the waiting request: the host is told so when it asks again, and must enrol anew.</summary>
    public static void Deny(string directory, string name)
    {
        var pending = Waiting(directory, name);
        PrivateFiles.WriteAtomically(Path.Combine(FolderIn(directory), name + ".txt"),
            $"{pending.TokenId} {DurationText.Format(pending.CertificateLifetime)} {Format(pending.RequestedAt)} denied\n", PrivateFiles.OwnerReadWrite);
    }

    /// <summary>Forgets the request, after the host was told it was denied.</summary>
    public static void Remove(string directory, string name)
    {
        File.Delete(Path.Combine(FolderIn(directory), name + ".pub"));
        File.Delete(Path.Combine(FolderIn(directory), name + ".txt"));
    }

    private static PendingRequest Waiting(string directory, string name) =>
        Find(directory, name) is { Denied: false } pending
            ? pending
            : throw new InvalidOperationException($"no request of '{name}' is waiting: 'certs pending --dir {directory}' lists those that are");

    private static string Format(DateTimeOffset at) => at.UtcDateTime.ToString("yyyy-MM-ddTHH:mm:ssZ", CultureInfo.InvariantCulture);
}
