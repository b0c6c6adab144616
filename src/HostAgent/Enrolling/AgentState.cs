using System.Security.Cryptography;
using DaemonNet.Protos.Security;

namespace DaemonNet.HostAgent.Enrolling;

/// <summary>
/// The agent's state folder: the key it made (which never leaves the host), the certificate the
/// collector issued for it, and the cluster CA, each 0600, each written whole or not at all.
/// </summary>
internal static class AgentState
{
    public const string KeyFile = "key.pem";
    public const string CertificateFile = "cert.pem";
    public const string AuthorityFile = "ca.pem";

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>The files to stream with, once enrolled; otherwise only the CA given, which is not enough.</summary>
    public static TlsFiles Files(string stateDir, string caFile) =>
        File.Exists(Path.Combine(stateDir, CertificateFile))
            ? new(caFile.Length > 0 ? caFile : Path.Combine(stateDir, AuthorityFile), Path.Combine(stateDir, CertificateFile), Path.Combine(stateDir, KeyFile))
            : new(caFile, "", "");

    /// <summary>The key kept in the folder, or a new one, written there first: a host that asks again asks for the same key.</summary>
    public static ECDsa LoadOrCreateKey(string stateDir)
    {
        var path = Path.Combine(stateDir, KeyFile);
        var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        if (File.Exists(path))
        {
            key.ImportFromPem(File.ReadAllText(path));
            return key;
        }
        Write(stateDir, KeyFile, key.ExportPkcs8PrivateKeyPem());
        return key;
    }

    /// <summary>Creates the folder (0700) and writes a file in it under a temporary name, renamed into place when complete.</summary>
    public static void Write(string stateDir, string name, string text)
    {
        Directory.CreateDirectory(stateDir, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        var temporary = Path.Combine(stateDir, $".{name}.{Environment.ProcessId}");
        using (var stream = new FileStream(temporary, new FileStreamOptions { Mode = FileMode.Create, Access = FileAccess.Write, UnixCreateMode = OwnerOnly }))
        using (var writer = new StreamWriter(stream))
        {
            writer.Write(text + "\n");
            writer.Flush();
            stream.Flush(flushToDisk: true);
        }
        File.Move(temporary, Path.Combine(stateDir, name), overwrite: true);
    }
}
