using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Certificates;

/// <summary>
/// Which gRPC services each certificate role may call: each role gets only what it needs. An
/// agent writes its own host's snapshots and asks nothing; a reader asks, and may send a test alert; the
/// collector's own certificate serves and calls nothing. The README's role table says the same.
/// </summary>
public static class RoleTable
{
    private static readonly Dictionary<string, string[]> ServicesOf = new(StringComparer.Ordinal)
    {
        [ClusterTrust.AgentRole] = [Ingest.Descriptor.FullName],
        [ClusterTrust.ReaderRole] = [Inventory.Descriptor.FullName, Alerts.Descriptor.FullName],
        [ClusterTrust.CollectorRole] = [],
    };

    public static bool May(string role, string service) => ServicesOf.TryGetValue(role, out var services) && services.Contains(service);

    /// <summary>The roles that may call a service, for the sentence that refuses everyone else.</summary>
    public static IEnumerable<string> RolesFor(string service) => ServicesOf.Where(r => r.Value.Contains(service)).Select(r => r.Key);
}
