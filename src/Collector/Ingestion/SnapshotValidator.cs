using System.Net;
using System.Text.RegularExpressions;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Ingestion;

/// <summary>
/// Checks a snapshot before anything is stored, and says in one sentence what is wrong and where.
/// The bounds are far above a real host (a daemon engine runs tens of VMs) and far below what
/// would hurt the collector.
/// </summary>
public static partial class SnapshotValidator
{
    public const int MaxDomains = 10_000;
    public const int MaxNicsPerDomain = 64;
    public const int MaxNetworks = 1_000;
    public const int MaxLinks = 10_000;
    public const int MaxNeighbours = 100_000;
    public const int MaxLeases = 100_000;
    public const int MaxErrors = 64;
    public const int MaxStringLength = 1_024;

    [GeneratedRegex("^[A-Za-z0-9][A-Za-z0-9._-]{0,252}$")]
    private static partial Regex HostNamePattern();

    public static string? Validate(HostSnapshot snapshot)
    {
        if (snapshot.Host is null)
        {
            return "the snapshot has no host identity";
        }
        return HostNameProblem(snapshot.Host.Name)
            ?? Count("domains", snapshot.Domains.Count, MaxDomains)
            ?? Count("networks", snapshot.Networks.Count, MaxNetworks)
            ?? Count("links", snapshot.Links.Count, MaxLinks)
            ?? Count("neighbours", snapshot.Neighbours.Count, MaxNeighbours)
            ?? Count("leases", snapshot.Leases.Count, MaxLeases)
            ?? Count("errors", snapshot.Errors.Count, MaxErrors)
            ?? snapshot.Domains.Select(DomainProblem).FirstOrDefault(p => p is not null)
            ?? snapshot.Links.Select((l, i) => Mac($"links[{i}].mac", l.Mac, optional: true) ?? Text($"links[{i}].name", l.Name)).FirstOrDefault(p => p is not null)
            ?? snapshot.Neighbours.Select((n, i) => Ip($"neighbours[{i}].ip", n.Ip) ?? Mac($"neighbours[{i}].mac", n.Mac, optional: true)).FirstOrDefault(p => p is not null)
            ?? snapshot.Leases.Select((l, i) => Ip($"leases[{i}].ip", l.Ip) ?? Mac($"leases[{i}].mac", l.Mac, optional: false) ?? Text($"leases[{i}].hostname", l.Hostname)).FirstOrDefault(p => p is not null)
            ?? snapshot.Errors.Select((e, i) => Text($"errors[{i}].message", e.Message)).FirstOrDefault(p => p is not null);
    }

    public static string? HostNameProblem(string name) =>
        HostNamePattern().IsMatch(name)
            ? null
            : $"host name '{Shorten(name)}' is not a host name (letters, digits, '.', '-' and '_', at most 253 characters)";

    private static string? DomainProblem(Domain domain, int index)
    {
        if (!Guid.TryParseExact(domain.Uuid, "D", out _))
        {
            return $"domains[{index}].uuid '{Shorten(domain.Uuid)}' is not a uuid";
        }
        return Text($"domains[{index}].name", domain.Name)
            ?? (domain.Name.Length == 0 ? $"domains[{index}] ({domain.Uuid}) has no name" : null)
            ?? Count($"domains[{index}].nics", domain.Nics.Count, MaxNicsPerDomain)
            ?? domain.Nics.Select((n, i) => Mac($"domains[{index}].nics[{i}].mac", n.Mac, optional: false)).FirstOrDefault(p => p is not null);
    }

    private static string? Count(string what, int count, int max) =>
        count > max ? $"{what}: {count} entries, more than the {max} allowed" : null;

    private static string? Text(string where, string value) =>
        value.Length > MaxStringLength ? $"{where} is {value.Length} characters long, more than the {MaxStringLength} allowed" : null;

    // The contract spells MACs in lower case with colons; anything else is an agent bug.
    private static string? Mac(string where, string value, bool optional) =>
        (optional && value.Length == 0) || (MacAddressText.TryNormalize(value, out var mac) && mac == value)
            ? null
            : $"{where} '{Shorten(value)}' is not a MAC address in the form 52:54:00:ab:cd:ef";

    private static string? Ip(string where, string value) =>
        IPAddress.TryParse(value, out var ip) && ip.ToString() == value
            ? null
            : $"{where} '{Shorten(value)}' is not an IP address in canonical form";

    private static string Shorten(string value) => value.Length <= 64 ? value : value[..64] + "…";
}
