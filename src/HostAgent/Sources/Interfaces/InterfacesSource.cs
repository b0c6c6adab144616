using DaemonNet.Protos.V1;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Sources.Interfaces;

/// <summary>
/// The network configuration ifupdown applies at boot: tunnel and bridge stanzas above all. A host
/// without ifupdown says so (<c>--interfaces-file none</c>, or no file at the default path): that
/// is a configuration, not a failure. A file named explicitly must exist.
/// </summary>
public sealed class InterfacesSource(IOptions<AgentOptions> options) : ISnapshotSource
{
    public string Name => SourceNames.Interfaces;

    public Task CollectAsync(HostSnapshot snapshot, CancellationToken cancellationToken)
    {
        var path = options.Value.InterfacesFile;
        if (path == AgentOptions.NoInterfacesFile || (path == AgentOptions.DefaultInterfacesFile && !File.Exists(path)))
        {
            snapshot.InterfacesNotConfigured = true;
            return Task.CompletedTask;
        }
        if (!File.Exists(path))
        {
            throw new SourceException($"{path} does not exist: point --interfaces-file at the host's ifupdown configuration, or say --interfaces-file none");
        }
        try
        {
            snapshot.Configured.Add(InterfacesFile.Read(path));
        }
        catch (FormatException e)
        {
            throw new SourceException(e.Message, e);
        }
        return Task.CompletedTask;
    }
}
