using DaemonNet.Protos.V1;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Sources.Libvirt;

/// <summary>
/// Domains and networks from libvirt. Reads nothing but XML and state through a read-only
/// connection; in particular it never asks for interface addresses (virDomainInterfaceAddresses),
/// which real hosts answer only with a guest agent and the test driver can crash on.
/// </summary>
public sealed class LibvirtSource(IOptions<AgentOptions> options, GuestAgentDomains guestAgents) : ISnapshotSource
{
    public string Name => SourceNames.Libvirt;

    public Task CollectAsync(HostSnapshot snapshot, CancellationToken cancellationToken)
    {
        using var connection = LibvirtConnection.OpenReadOnly(options.Value.LibvirtUri);
        var networks = new List<Network>();
        foreach (var description in connection.ListNetworks())
        {
            var network = NetworkXml.Parse(description.Xml);
            network.Active = description.Active;
            networks.Add(network);
        }
        var bridgeOfNetwork = networks.ToDictionary(n => n.Name, n => n.Bridge, StringComparer.Ordinal);
        var withGuestAgent = new HashSet<string>(StringComparer.Ordinal);
        foreach (var description in connection.ListDomains())
        {
            var (domain, guestAgent) = DomainXml.ParseWithGuestAgent(description.Xml);
            if (guestAgent && description.State == DomainState.Running)
            {
                withGuestAgent.Add(domain.Uuid);
            }
            domain.State = description.State;
            domain.Persistent = description.Persistent;
            foreach (var nic in domain.Nics)
            {
                nic.Bridge = NetworkXml.BridgeOf(nic, bridgeOfNetwork);
            }
            snapshot.Domains.Add(domain);
        }
        snapshot.Networks.Add(networks);
        guestAgents.Replace(withGuestAgent);
        return Task.CompletedTask;
    }
}
