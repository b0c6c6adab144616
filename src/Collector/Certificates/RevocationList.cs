using System.Globalization;

namespace DaemonNet.Collector.Certificates;

/// <summary>
/// The cluster's revoked certificates: <c>revoked.txt</c> beside the CA, one line per certificate
/// (<c>SERIAL NAME ROLE REVOKED-AT</c>, <c>#</c> starts a comment). A text file rather than an
/// X.509 CRL: only the collector reads it, on its own host, and an admin can read it too.
/// </summary>
public static class RevocationList
{
    public const string FileName = "revoked.txt";

    private const string Header = "# Certificates the collector refuses: serial name role revoked-at (written by 'daemonnet-collector certs')\n";

    /// <summary>The list in a file; a missing file revokes nothing. Throws <see cref="FormatException"/> naming the line of a malformed entry.</summary>
    public static IReadOnlyList<Revocation> Read(string path) => ListFile.Read(path, "SERIAL NAME ROLE REVOKED-AT", parts =>
        parts.Length == 4 && parts[0].All(Uri.IsHexDigit) && DateTimeOffset.TryParse(parts[3], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out var at)
            ? new Revocation(parts[0].ToUpperInvariant(), parts[1], parts[2], at)
            : null);

    /// <summary>Adds an entry, unless the serial is listed already; the file is replaced whole, never left half-written.</summary>
    public static void Add(string path, Revocation revocation)
    {
        var entries = Read(path).ToList();
        if (entries.Any(e => e.Serial == revocation.Serial))
        {
            return;
        }
        entries.Add(revocation);
        ListFile.Write(path, Header, entries, e => $"{e.Serial} {e.Name} {e.Role} {e.RevokedAt.UtcDateTime:yyyy-MM-ddTHH:mm:ssZ}",
            PrivateFiles.OwnerReadWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead);
    }
}
