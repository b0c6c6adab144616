using System.Security.Cryptography;

namespace DaemonNet.Collector.Certificates;

/// <summary>
/// Writes files so that a reader never sees half of them: each is written under a temporary name
/// in its own folder with its final mode, and renamed into place only when all are complete.
/// </summary>
public static class PrivateFiles
{
    public const UnixFileMode OwnerReadWrite = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    public static void WriteAtomically(string path, string text, UnixFileMode mode) => WriteAllAtomically([(path, text, mode)]);

    /// <summary>Writes every file, or none: a failure before the renames leaves the old files as they were.</summary>
    public static void WriteAllAtomically(IReadOnlyList<(string Path, string Text, UnixFileMode Mode)> files)
    {
        var temporary = new List<(string Temporary, string Final)>();
        try
        {
            foreach (var (path, text, mode) in files)
            {
                // A short temporary name: the final one may be as long as a file name can be.
                var name = Path.Combine(Path.GetDirectoryName(Path.GetFullPath(path))!, $".tmp-{Convert.ToHexString(RandomNumberGenerator.GetBytes(6))}");
                temporary.Add((name, path));
                using var stream = new FileStream(name, new FileStreamOptions
                {
                    Mode = FileMode.CreateNew,
                    Access = FileAccess.Write,
                    UnixCreateMode = mode,
                });
                using var writer = new StreamWriter(stream);
                writer.Write(text);
                writer.Flush();
                stream.Flush(flushToDisk: true);
            }
            foreach (var (name, final) in temporary)
            {
                File.Move(name, final, overwrite: true);
            }
        }
        finally
        {
            foreach (var (name, _) in temporary)
            {
                File.Delete(name);
            }
        }
    }
}
