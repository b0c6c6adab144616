using System.Data.Common;
using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Protos.Formats;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>where and vms: which VMs match, now or at an instant, with their NICs and addresses, best evidence first.</summary>
public sealed class WhereReader(StoreReading reading) : IWhereReader
{
    /// <summary>The lookup statements, once for "now" and once for "as of an instant".</summary>
    private sealed record Lookups(Func<string, string> Holds)
    {
        public string ByName { get; } = DomainsByName(Holds);
        public string ByUuid { get; } = DomainsByUuid(Holds);
        public string ByMac { get; } = DomainsByMac(Holds);
        public string ByIp { get; } = DomainsByIp(Holds);
        public string OnHost { get; } = DomainsOnHost(Holds);
        public string MacsOfIp { get; } = WhereReader.MacsOfIp(Holds);
        public string IpsOfMac { get; } = WhereReader.IpsOfMac(Holds);
        public string NicsOfDomains { get; } = WhereReader.NicsOfDomains(Holds);
        public string BindingsOfMacs { get; } = WhereReader.BindingsOfMacs(Holds);
        public string HeldByLiveVms { get; } = WhereReader.HeldByLiveVms(Holds);
    }

    private static readonly Lookups Current = new(StoreReading.HoldsNow);
    private static readonly Lookups AsOf = new(StoreReading.HoldsAt);

    private static Lookups For(DateTimeOffset? at) => at is null ? Current : AsOf;

    // In the joins from NICs to their domains, "+d.host_id" keeps SQLite from reaching for the
    // host index (every VM of the host) when the uuid index finds the one domain: 1.7 → 0.12 ms
    // per address lookup at the median on the 30-day benchmark database (docs/BENCHMARKS.md).

    private const string CurrentVmNames = """
        SELECT DISTINCT name FROM domains WHERE valid_to IS NULL
        """;

    public async Task<IReadOnlyList<string>> CurrentVmNamesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<string>(CurrentVmNames)).AsList();
    }

    // Each lookup of domains brings each one's host and labels in the same statement (the
    // columns of the domain, then of the host, then of the labels, NULL for a VM without labels):
    // a statement of their own cost every answer 0.1–0.3 ms each (docs/BENCHMARKS.md, issue 26).
    private static string FoundVmColumns => $"{StoreReading.DomainColumns}, {StoreReading.HostColumns}, {StoreReading.LabelColumns}";

    private static string HostAndLabelsOf(Func<string, string> holds) =>
        $"JOIN hosts h ON h.id = d.host_id LEFT JOIN vm_labels l ON l.domain_uuid = d.uuid AND l.host_id = d.host_id AND {holds("l")}";

    private static string DomainsByName(Func<string, string> holds) => $"""
        SELECT {FoundVmColumns} FROM domains d {HostAndLabelsOf(holds)} WHERE lower(d.name) = lower(@Value) AND {holds("d")}
        """;

    private static string DomainsByUuid(Func<string, string> holds) => $"""
        SELECT {FoundVmColumns} FROM domains d {HostAndLabelsOf(holds)} WHERE d.uuid = @Value AND {holds("d")}
        """;

    private static string DomainsByMac(Func<string, string> holds) => $"""
        SELECT DISTINCT {FoundVmColumns}
        FROM nics n JOIN domains d ON +d.host_id = n.host_id AND d.uuid = n.domain_uuid AND {holds("d")}
        {HostAndLabelsOf(holds)}
        WHERE n.mac = @Value AND {holds("n")}
        """;

    // The address's MACs first, each once (a MAC is often bound to it by a lease and a neighbour
    // entry both), and no DISTINCT over the wide rows found (DomainsAsync keeps each VM once):
    // for an address 320 VMs share, 6.7 → 4.6 ms on the 10M-row benchmark database.
    private static string DomainsByIp(Func<string, string> holds) => $"""
        SELECT {FoundVmColumns}
        FROM (SELECT DISTINCT b.mac FROM bindings b WHERE b.ip = @Value AND {holds("b")} AND {StoreReading.LeaseValidAt("b")}) m
        JOIN nics n ON n.mac = m.mac AND {holds("n")}
        JOIN domains d ON +d.host_id = n.host_id AND d.uuid = n.domain_uuid AND {holds("d")}
        {HostAndLabelsOf(holds)}
        """;

    private static string DomainsOnHost(Func<string, string> holds) => $"""
        SELECT {FoundVmColumns} FROM domains d {HostAndLabelsOf(holds)}
        WHERE {holds("d")} AND (@Host IS NULL OR h.name = @Host)
        """;

    /// <summary>The VMs a lookup found, each with its host and its labels if it has any (the same VM once, with its latest labels).</summary>
    private static async Task<List<FoundVm>> DomainsAsync(DbConnection connection, string sql, object parameters) =>
        (await connection.QueryAsync<DomainRow, HostRow, LabelRow?, FoundVm>(sql, (domain, host, label) => new FoundVm(domain, host, label), parameters,
            splitOn: "Id,HostId"))
            .GroupBy(found => found.Domain)
            .Select(g => g.MaxBy(found => found.Label?.ValidFrom ?? long.MinValue)!)
            .ToList();

    private sealed record FoundVm(DomainRow Domain, HostRow Host, LabelRow? Label);

    private static string MacsOfIp(Func<string, string> holds) => $"""
        SELECT DISTINCT b.mac AS Value, h.name AS Host, b.device AS Device FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE b.ip = @Value AND {holds("b")} AND {StoreReading.LeaseValidAt("b")}
        """;

    private static string IpsOfMac(Func<string, string> holds) => $"""
        SELECT DISTINCT b.ip AS Value, h.name AS Host, b.device AS Device FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE b.mac = @Value AND {holds("b")} AND {StoreReading.LeaseValidAt("b")}
        """;

    public async Task<WhereResult> WhereAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        var parameters = reading.When(now, at, new { query.Value });
        var sql = query.Kind switch
        {
            QueryKind.Name => For(at).ByName,
            QueryKind.Uuid => For(at).ByUuid,
            QueryKind.Mac => For(at).ByMac,
            _ => For(at).ByIp,
        };
        var vms = await DescribeAsync(connection, await DomainsAsync(connection, sql, parameters), now, at);
        if (query.Kind == QueryKind.Ip)
        {
            // A VM that is not alive keeps no address that a live VM took over since.
            vms = vms.Where(vm => vm.Nics.Any(n => n.Addresses.Any(a => a.Ip == query.Value))).ToList();
        }
        // An address or MAC that no VM owns may still be bound: the answer says to what.
        IReadOnlyList<BoundWithoutVm> unowned = vms.Count > 0 ? [] : query.Kind switch
        {
            QueryKind.Ip => (await connection.QueryAsync<BoundWithoutVm>(For(at).MacsOfIp, parameters)).AsList(),
            QueryKind.Mac => (await connection.QueryAsync<BoundWithoutVm>(For(at).IpsOfMac, parameters)).AsList(),
            _ => [],
        };
        return new WhereResult(vms, unowned);
    }

    public async Task<IReadOnlyList<LocatedVm>> ListVmsAsync(string? hostName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        return await DescribeAsync(connection, await DomainsAsync(connection, Current.OnHost, reading.When(now, null, new { Host = hostName })), now, null);
    }

    private static string NicsOfDomains(Func<string, string> holds) => $"""
        SELECT {StoreReading.NicColumns}
        FROM nics n WHERE n.domain_uuid IN @Uuids AND {holds("n")}
        ORDER BY n.id
        """;

    // Bindings for a MAC come from every host: a forward-bridge VM is seen in the neighbour
    // tables of whichever hosts on its LAN talked to it.
    private static string BindingsOfMacs(Func<string, string> holds) => $"""
        SELECT {StoreReading.BindingColumns}
        FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE b.mac IN @Macs AND {holds("b")} AND {StoreReading.LeaseValidAt("b")}
        """;

    /// <summary>A statement about now or an instant with one list (@<paramref name="name"/>) of the given values.</summary>
    private async Task<List<T>> QueryListAsync<T>(DbConnection connection, string sql, IEnumerable<string> values, string name,
        DateTimeOffset now, DateTimeOffset? at)
    {
        var parameters = reading.When(now, at, new { });
        parameters.Add(name, reading.List(values.Distinct(StringComparer.Ordinal)));
        return (await connection.QueryAsync<T>(reading.Sql(sql), parameters)).AsList();
    }

    private async Task<IReadOnlyList<LocatedVm>> DescribeAsync(DbConnection connection, List<FoundVm> found, DateTimeOffset now, DateTimeOffset? at)
    {
        if (found.Count == 0)
        {
            return [];
        }
        var domains = found.ConvertAll(f => f.Domain);
        // One query per table for all the VMs, not one per VM and NIC: an address shared by many
        // VMs (private NAT ranges repeat on every host) would otherwise cost a round trip each.
        var nics = (await QueryListAsync<NicRow>(connection, For(at).NicsOfDomains, domains.Select(d => d.Uuid), "Uuids", now, at))
            .ToLookup(n => (n.HostId, n.DomainUuid));
        var bindings = (await QueryListAsync<BindingRow>(connection, For(at).BindingsOfMacs,
            nics.SelectMany(g => g).Select(n => n.Mac), "Macs", now, at)).ToLookup(b => b.Mac, StringComparer.Ordinal);
        var takenByTheLiving = await TakenByLiveVmsAsync(connection, domains, nics, bindings, now, at);
        var result = new List<LocatedVm>(domains.Count);
        foreach (var (domain, host, label) in found)
        {
            var alive = DomainStates.IsAlive(domain.State);
            var views = nics[(domain.HostId, domain.Uuid)]
                .Select(n => new LocatedNic(n, Evidence.Ranked(bindings[n.Mac]
                    .Where(b => alive || !takenByTheLiving.Contains((b.HostId, b.Device, b.Ip, b.Mac))))))
                .ToList();
            result.Add(new LocatedVm(host, domain, label, views));
        }
        return result.OrderBy(v => v.Domain.Name, StringComparer.Ordinal).ThenBy(v => v.Host.Name, StringComparer.Ordinal).ToList();
    }

    // The addresses that VMs alive at the instant hold, on the same host's same device, for the
    // addresses of the VMs that are not: a lease or neighbour entry outlives its VM, and dnsmasq
    // may since have given the address to another VM.
    private static string HeldByLiveVms(Func<string, string> holds) => $"""
        SELECT b.host_id AS HostId, b.device AS Device, b.ip AS Ip, b.mac AS Mac
        FROM bindings b
        JOIN nics n ON n.mac = b.mac AND {holds("n")}
        JOIN domains d ON +d.host_id = n.host_id AND d.uuid = n.domain_uuid AND {holds("d")} AND d.state IN ({DomainStates.AliveSql})
        WHERE b.ip IN @Ips AND {holds("b")} AND {StoreReading.LeaseValidAt("b")}
        """;

    /// <summary>The bindings of VMs that are not alive whose address a live VM's other MAC holds on the same host and device.</summary>
    private async Task<HashSet<(long HostId, string Device, string Ip, string Mac)>> TakenByLiveVmsAsync(DbConnection connection,
        List<DomainRow> domains, ILookup<(long, string), NicRow> nics, ILookup<string, BindingRow> bindings, DateTimeOffset now, DateTimeOffset? at)
    {
        var ofTheStopped = domains.Where(d => !DomainStates.IsAlive(d.State))
            .SelectMany(d => nics[(d.HostId, d.Uuid)]).SelectMany(n => bindings[n.Mac]).ToList();
        if (ofTheStopped.Count == 0)
        {
            return [];
        }
        var held = (await QueryListAsync<(long HostId, string Device, string Ip, string Mac)>(connection, For(at).HeldByLiveVms,
            ofTheStopped.Select(b => b.Ip), "Ips", now, at)).ToLookup(h => (h.HostId, h.Device, h.Ip), h => h.Mac);
        return ofTheStopped.Where(b => held[(b.HostId, b.Device, b.Ip)].Any(mac => mac != b.Mac))
            .Select(b => (b.HostId, b.Device, b.Ip, b.Mac)).ToHashSet();
    }
}
