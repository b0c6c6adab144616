using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Certificates;

/// <summary>
/// Which gRPC services each certificate role may call: each role gets only what it needs. An
/// agent writes its own host's snapshots and asks nothing but whether the collector is healthy; a
/// reader asks, may send a test alert, and may list the services (reflection); the collector's
/// own certificate serves and calls nothing. docs/SECURITY.md's role table says the same.
/// </summary>
public static class RoleTable
{
    public const string Health = "grpc.health.v1.Health";

    public static readonly string[] Reflection = ["grpc.reflection.v1alpha.ServerReflection", "grpc.reflection.v1.ServerReflection"];

    private static readonly Dictionary<string, string[]> ServicesOf = new(StringComparer.Ordinal)
    {
        [ClusterTrust.AgentRole] = [Ingest.Descriptor.FullName, Health],
        [ClusterTrust.ReaderRole] = [Inventory.Descriptor.FullName, Alerts.Descriptor.FullName, Health, .. Reflection],
        [ClusterTrust.CollectorRole] = [],
    };

    /// <summary>What open reads serve to callers without a certificate: the questions, health, and the list of services.</summary>
    private static readonly string[] OpenReads = [Inventory.Descriptor.FullName, Health, .. Reflection];

    /// <summary>What anyone may call, with or without a credential: enrolment, whose token is in the request (and renewal, which checks its caller itself).</summary>
    private static readonly string[] OpenToAnyone = [Enrolment.Descriptor.FullName];

    public static bool IsOpenToAnyone(string service) => OpenToAnyone.Contains(service);

    public static bool May(string role, string service) => ServicesOf.TryGetValue(role, out var services) && services.Contains(service);

    public static bool IsOpenRead(string service) => OpenReads.Contains(service);

    /// <summary>The roles that may call a service, for the sentence that refuses everyone else.</summary>
    public static IEnumerable<string> RolesFor(string service) => ServicesOf.Where(r => r.Value.Contains(service)).Select(r => r.Key);
}
