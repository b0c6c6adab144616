using DaemonNet.Protos.V1;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Sources.Interfaces;

/// <summary>The network configuration ifupdown applies at boot: tunnel and bridge stanzas above all.</summary>
public sealed class InterfacesSource(IOptions<AgentOptions> options) : ISnapshotSource
{
    public string Name => SourceNames.Interfaces;

    public Task CollectAsync(HostSnapshot snapshot, CancellationToken cancellationToken)
    {
        var path = options.Value.InterfacesFile;
        if (!File.Exists(path))
        {
            throw new SourceException($"{path} does not exist: point --interfaces-file at the host's ifupdown configuration");
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
