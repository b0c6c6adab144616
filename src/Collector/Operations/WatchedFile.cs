using System.Runtime.InteropServices;

namespace DaemonNet.Collector.Operations;

/// <summary>
/// Calls back when a file an admin edits changes (created, written, renamed into place, deleted)
/// and when the collector gets SIGHUP (<c>systemctl reload</c>), so that what it holds takes effect
/// without a restart.
/// </summary>
public sealed class WatchedFile : IDisposable
{
    private readonly FileSystemWatcher? watcher;
    private readonly PosixSignalRegistration hangup;

    public WatchedFile(string path, Action reload)
    {
        var folder = Path.GetDirectoryName(Path.GetFullPath(path));
        if (folder is not null && Directory.Exists(folder))
        {
            watcher = new FileSystemWatcher(folder, Path.GetFileName(path)) { NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size };
            watcher.Changed += (_, _) => reload();
            watcher.Created += (_, _) => reload();
            watcher.Deleted += (_, _) => reload();
            watcher.Renamed += (_, _) => reload();
            watcher.EnableRaisingEvents = true;
        }
        hangup = PosixSignalRegistration.Create(PosixSignal.SIGHUP, context =>
        {
            context.Cancel = true;
            reload();
        });
    }

    public void Dispose()
    {
        watcher?.Dispose();
        hangup.Dispose();
    }
}
