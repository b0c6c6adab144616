using System.Collections.Concurrent;
using System.Net;
using DaemonNet.Protos.V1;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent.Sources.Libvirt;

/// <summary>
/// Addresses from inside running guests, through the qemu guest agent, for the guests whose XML
/// has its channel (<see cref="GuestAgentDomains"/>, from the libvirt source). libvirt allows this
/// call only on a read-write connection, so this source opens one for it alone, and only when
/// there is such a guest (<c>--guest-agent false</c> turns it off). A guest whose agent does not
/// answer is normal, not an error. Each call is bounded by <see cref="CallTimeout"/>; a guest
/// whose call outlived it is skipped until that call returns, so calls never pile up.
/// </summary>
public sealed class GuestAgentSource(IOptions<AgentOptions> options, GuestAgentDomains candidates) : ISnapshotSource
{
    public static readonly TimeSpan CallTimeout = TimeSpan.FromSeconds(2);

    private readonly ConcurrentDictionary<string, Task> outstanding = new(StringComparer.Ordinal);

    public string Name => SourceNames.GuestAgent;

    public async Task CollectAsync(HostSnapshot snapshot, CancellationToken cancellationToken)
    {
        var asked = candidates.Uuids;
        if (!options.Value.GuestAgent || asked.Count == 0)
        {
            return;
        }
        using var connection = LibvirtConnection.OpenReadWrite(options.Value.LibvirtUri);
        IReadOnlyDictionary<string, string>? bridgeOfNetwork = null;
        foreach (var domain in connection.RunningDomains())
        {
            var (parsed, guestAgent) = DomainXml.ParseWithGuestAgent(domain.Xml);
            if (!guestAgent || !asked.Contains(parsed.Uuid) || outstanding.ContainsKey(parsed.Uuid))
            {
                domain.Dispose();
                continue;
            }
            bridgeOfNetwork ??= NetworkXml.BridgesOf(connection.ListNetworks());
            var nics = parsed.Nics.ToDictionary(n => n.Mac, n => NetworkXml.BridgeOf(n, bridgeOfNetwork), StringComparer.Ordinal);
            var call = Task.Factory.StartNew(() =>
            {
                using (domain)
                {
                    return domain.AgentAddresses();
                }
            }, CancellationToken.None, TaskCreationOptions.LongRunning, TaskScheduler.Default);
            List<(string Interface, string Mac, string Ip)> addresses;
            try
            {
                addresses = await call.WaitAsync(CallTimeout, cancellationToken);
            }
            catch (TimeoutException)
            {
                outstanding[parsed.Uuid] = call;
                _ = call.ContinueWith(_ => outstanding.TryRemove(parsed.Uuid, out Task? _), TaskScheduler.Default);
                continue;
            }
            catch (SourceException)
            {
                continue;
            }
            snapshot.GuestAddresses.Add(addresses
                .Where(a => nics.ContainsKey(a.Mac) && IsWorthShowing(a.Ip))
                .Select(a => new GuestAddress { Mac = a.Mac, Ip = IPAddress.Parse(a.Ip).ToString(), Device = nics[a.Mac], Interface = a.Interface })
                .DistinctBy(a => (a.Mac, a.Ip)));
        }
    }

    /// <summary>Loopback and link-local addresses say nothing about where a guest is reachable.</summary>
    public static bool IsWorthShowing(string text) =>
        IPAddress.TryParse(text, out var ip) && !IPAddress.IsLoopback(ip) && !ip.IsIPv6LinkLocal
        && !(ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork && ip.GetAddressBytes() is [169, 254, ..]);
}
