namespace DaemonNet.Tests.Support;

/// <summary>
/// A small tmpfs mounted for a test (root, as CI runs), that the test can fill to the last block
/// and drain again: a collector's database on a disk that runs full.
/// </summary>
public sealed class SmallDisk : IDisposable
{
    private const string FillerName = "filler";

    /// <param name="path">An empty folder to mount it on.</param>
    /// <param name="size">Its size as mount takes it: 2m, 256m.</param>
    public SmallDisk(string path, string size)
    {
        Path = path;
        Directory.CreateDirectory(path);
        Shell.Run("mount", "-t", "tmpfs", "-o", $"size={size}", "daemonnet-test-disk", path);
    }

    public string Path { get; }

    public string File(string name) => System.IO.Path.Combine(Path, name);

    /// <summary>Writes a file until no block is left.</summary>
    public void Fill()
    {
        using var stream = System.IO.File.Create(File(FillerName));
        var block = new byte[64 * 1024];
        try
        {
            while (true)
            {
                stream.Write(block);
                stream.Flush();
            }
        }
        catch (IOException)
        {
            // Full: what was wanted.
        }
    }

    /// <summary>Gives back what <see cref="Fill"/> took.</summary>
    public void Drain() => System.IO.File.Delete(File(FillerName));

    public void Dispose() => Shell.TryRun("umount", "--lazy", Path);
}
