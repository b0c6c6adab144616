using System.Security.Cryptography.X509Certificates;
using DaemonNet.Collector.Operations;
using DaemonNet.Protos.Security;

namespace DaemonNet.Collector.Certificates;

/// <summary>
/// The collector's own certificate, which each TLS handshake asks for: read at start, and again
/// when its file changes or the collector gets SIGHUP, so that a renewed certificate ('certs renew
/// --name collector') serves new connections without a restart. One that does not load is logged
/// and the previous one kept.
/// </summary>
public sealed class ServingCertificate : IDisposable
{
    private readonly TlsFiles files;
    private readonly ILogger<ServingCertificate> log;
    private readonly WatchedFile watched;
    private readonly Lock reloading = new();
    private volatile X509Certificate2 current;

    public ServingCertificate(TlsFiles files, ILogger<ServingCertificate> log)
    {
        this.files = files;
        this.log = log;
        current = files.LoadCertificate();
        watched = new WatchedFile(files.CertFile, Reload);
    }

    public X509Certificate2 Current => current;

    private void Reload()
    {
        lock (reloading)
        {
            try
            {
                var loaded = files.LoadCertificate();
                if (loaded.SerialNumber != current.SerialNumber)
                {
                    log.LogInformation("Serving certificate {Path}: serial {Serial}, valid until {NotAfter:u}", files.CertFile, loaded.SerialNumber, loaded.NotAfter.ToUniversalTime());
                    current = loaded;
                }
            }
            catch (InvalidOperationException e)
            {
                log.LogError("Serving certificate {Path} not loaded, the previous one stays in use: {Reason}", files.CertFile, e.Message);
            }
        }
    }

    public void Dispose() => watched.Dispose();
}
