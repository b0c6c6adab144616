using DaemonNet.Collector.Operations;

namespace DaemonNet.Collector.Certificates;

/// <summary>
/// The revocation list as the running collector holds it: read at start, and read again when the
/// file changes or the collector gets SIGHUP, so a revocation takes effect without a restart. A
/// list that no longer parses is logged and the previous one kept: a typo must not un-revoke.
/// </summary>
public sealed class RevokedCertificates : IDisposable
{
    private readonly string path;
    private readonly ILogger<RevokedCertificates> log;
    private readonly WatchedFile watched;
    private readonly Lock reloading = new();
    private volatile HashSet<string> serials = [];

    public RevokedCertificates(string path, ILogger<RevokedCertificates> log)
    {
        this.path = path;
        this.log = log;
        Reload();
        watched = new WatchedFile(path, Reload);
    }

    public bool IsRevoked(string serial) => serials.Contains(serial);

    public void Reload()
    {
        lock (reloading)
        {
            try
            {
                var revoked = RevocationList.Read(path).Select(r => r.Serial).ToHashSet(StringComparer.OrdinalIgnoreCase);
                if (!revoked.SetEquals(serials))
                {
                    log.LogInformation("Revocation list {Path}: {Count} certificates revoked", path, revoked.Count);
                }
                serials = revoked;
            }
            catch (Exception e) when (e is FormatException or IOException or UnauthorizedAccessException)
            {
                log.LogError("Revocation list {Path} not read, the previous one stays in force: {Reason}", path, e.Message);
            }
        }
    }

    public void Dispose() => watched.Dispose();
}
