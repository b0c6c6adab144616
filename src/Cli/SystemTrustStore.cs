using System.Runtime.InteropServices;

namespace DaemonNet.Cli;

/// <summary>
/// The CLI trusts one authority, the cluster CA of --ca-file. Yet on Linux .NET reads every
/// certificate of the system store (/etc/ssl/certs, about 150 files) whenever it builds a chain,
/// even against a custom root, and a one-shot process pays that on every call: 55 of the 88 ms of
/// a `daemonnet where` over mutual TLS (docs/BENCHMARKS.md). Pointing OpenSSL's store variables at
/// a path that cannot exist, for this process only, skips the read; what is trusted is unchanged.
/// </summary>
internal static partial class SystemTrustStore
{
    // A path under a character device can never be a file or a folder.
    private const string Nowhere = "/dev/null/daemonnet-trusts-only-the-cluster-ca";

    /// <summary>Call before the first TLS connection. .NET reads these variables through the C library, so they are set there.</summary>
    public static void Skip()
    {
        setenv("SSL_CERT_DIR", Nowhere, 1);
        setenv("SSL_CERT_FILE", Nowhere, 1);
    }

    [LibraryImport("libc", StringMarshalling = StringMarshalling.Utf8)]
    private static partial int setenv(string name, string value, int overwrite);
}
