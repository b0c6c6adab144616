using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>history: every interval about a VM, MAC or address that overlaps a span, and the nearest ones to an instant.</summary>
public sealed class HistoryReader(StoreReading reading) : IHistoryReader
{
    private static readonly string DomainSpans = $"""
        SELECT {StoreReading.DomainColumns} FROM domains d
        WHERE {StoreReading.Overlaps("d")} AND (lower(d.name) = lower(@Name) OR d.uuid IN @Uuids)
        """;

    private static readonly string NicHistory = $"""
        SELECT {StoreReading.NicColumns}
        FROM nics n WHERE {StoreReading.Overlaps("n")} AND (n.domain_uuid IN @Uuids OR n.mac IN @Macs)
        """;

    private static readonly string BindingSpansOfMacs = $"""
        SELECT {StoreReading.BindingColumns} FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE {StoreReading.Overlaps("b")} AND b.mac IN @Macs
        """;

    private static readonly string BindingSpansOfIp = $"""
        SELECT {StoreReading.BindingColumns} FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE {StoreReading.Overlaps("b")} AND b.ip = @Ip
        """;

    private static readonly string SilenceSpans = $"""
        SELECT s.host_id AS HostId, s.valid_from AS ValidFrom, s.valid_to AS ValidTo
        FROM host_silences s WHERE {StoreReading.Overlaps("s")} AND s.host_id IN @HostIds
        """;

    public async Task<HistoryResult> HistoryAsync(InventoryQuery query, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        var span = new { Since = since?.ToUnixTimeMilliseconds() ?? long.MinValue, Until = until?.ToUnixTimeMilliseconds() ?? long.MaxValue };
        List<BindingRow> bindings = [];
        string[] uuids = [];
        string[] macs = [];
        switch (query.Kind)
        {
            case QueryKind.Uuid:
                uuids = [query.Value];
                break;
            case QueryKind.Mac:
                macs = [query.Value];
                break;
            case QueryKind.Ip:
                bindings = (await connection.QueryAsync<BindingRow>(BindingSpansOfIp, StoreReading.Merge(span, new { Ip = query.Value }))).AsList();
                macs = bindings.Select(b => b.Mac).Distinct(StringComparer.Ordinal).ToArray();
                break;
        }
        // The NICs that ever carried the MACs name the VMs; the VMs' NICs name their other MACs.
        var nics = (await connection.QueryAsync<NicRow>(reading.Sql(NicHistory), StoreReading.Merge(span, new { Uuids = reading.List(uuids), Macs = reading.List(macs) }))).AsList();
        uuids = [.. uuids.Union(nics.Select(n => n.DomainUuid), StringComparer.Ordinal)];
        var domains = (await connection.QueryAsync<DomainRow>(reading.Sql(DomainSpans),
            StoreReading.Merge(span, new { Name = query.Kind == QueryKind.Name ? query.Value : null, Uuids = reading.List(uuids) }))).AsList();
        if (query.Kind == QueryKind.Name)
        {
            uuids = [.. domains.Select(d => d.Uuid).Distinct(StringComparer.Ordinal)];
            nics = (await connection.QueryAsync<NicRow>(reading.Sql(NicHistory), StoreReading.Merge(span, new { Uuids = reading.List(uuids), Macs = reading.List(Array.Empty<string>()) }))).AsList();
        }
        if (query.Kind != QueryKind.Ip)
        {
            macs = [.. macs.Union(nics.Select(n => n.Mac), StringComparer.Ordinal)];
            bindings = (await connection.QueryAsync<BindingRow>(reading.Sql(BindingSpansOfMacs), StoreReading.Merge(span, new { Macs = reading.List(macs) }))).AsList();
        }
        var involved = domains.Select(d => d.HostId).Concat(nics.Select(n => n.HostId))
            .Concat(bindings.Select(b => b.HostId)).Distinct().ToArray();
        var hosts = (await connection.QueryAsync<HostRow>(reading.Sql(StoreReading.HostsById), new { Ids = reading.List(involved) })).ToDictionary(h => h.Id);
        var silences = (await connection.QueryAsync<SilenceRow>(reading.Sql(SilenceSpans), StoreReading.Merge(span, new { HostIds = reading.List(involved) }))).AsList();
        return new HistoryResult(hosts, domains, nics, bindings, silences);
    }

    // The VMs, MACs and addresses a query ever involved, as distinct keys: the closure HistoryAsync
    // follows through its rows, without reading every interval.
    private const string MacsEverAtIp = "SELECT DISTINCT mac FROM bindings WHERE ip = @Ip";
    private const string UuidsEverNamed = "SELECT DISTINCT uuid FROM domains WHERE lower(name) = lower(@Name)";
    private const string UuidsOfNics = "SELECT DISTINCT domain_uuid FROM nics WHERE domain_uuid IN @Uuids OR mac IN @Macs";
    private const string MacsOfDomains = "SELECT DISTINCT mac FROM nics WHERE domain_uuid IN @Uuids";

    // When a row ended, as far as anyone knows: its end, or for an open row of a host that is
    // silent now, the host's last report; null while it holds.
    private static string EndOf(string row) => $"""
        coalesce({row}.valid_to, (SELECT CASE WHEN {IntervalRules.IsSilentSql("h")} THEN h.last_report END
            FROM hosts h WHERE h.id = {row}.host_id))
        """;

    private static string EndedLast(string select, string from, string row, string match) =>
        $"SELECT {select} FROM {from} WHERE {match} AND {EndOf(row)} <= @At ORDER BY {EndOf(row)} DESC LIMIT 1";

    private static string StartedFirstAfter(string select, string from, string row, string match) =>
        $"SELECT {select} FROM {from} WHERE {match} AND {row}.valid_from > @At ORDER BY {row}.valid_from LIMIT 1";

    private const string DomainMatch = "(lower(d.name) = lower(@Name) OR d.uuid IN @Uuids)";
    private const string NicMatch = "(n.domain_uuid IN @Uuids OR n.mac IN @Macs)";
    private const string BindingMatch = "(b.ip = @Ip OR (@Ip IS NULL AND b.mac IN @Macs))";
    private const string BindingFrom = "bindings b JOIN hosts h ON h.id = b.host_id";

    private static readonly string[] BeforeStatements =
    [
        EndedLast(StoreReading.DomainColumns, "domains d", "d", DomainMatch), EndedLast(StoreReading.NicColumns, "nics n", "n", NicMatch),
        EndedLast(StoreReading.BindingColumns, BindingFrom, "b", BindingMatch),
    ];

    private static readonly string[] AfterStatements =
    [
        StartedFirstAfter(StoreReading.DomainColumns, "domains d", "d", DomainMatch), StartedFirstAfter(StoreReading.NicColumns, "nics n", "n", NicMatch),
        StartedFirstAfter(StoreReading.BindingColumns, BindingFrom, "b", BindingMatch),
    ];

    public async Task<NearestIntervals> NearestAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset at, CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        string? ip = query.Kind == QueryKind.Ip ? query.Value : null;
        string[] uuids = query.Kind switch
        {
            QueryKind.Uuid => [query.Value],
            QueryKind.Name => (await connection.QueryAsync<string>(UuidsEverNamed, new { Name = query.Value })).ToArray(),
            _ => [],
        };
        string[] macs = query.Kind switch
        {
            QueryKind.Mac => [query.Value],
            QueryKind.Ip => (await connection.QueryAsync<string>(MacsEverAtIp, new { Ip = ip })).ToArray(),
            _ => [],
        };
        uuids = [.. uuids.Union(await connection.QueryAsync<string>(reading.Sql(UuidsOfNics), new { Uuids = reading.List(uuids), Macs = reading.List(macs) }), StringComparer.Ordinal)];
        if (query.Kind != QueryKind.Ip)
        {
            macs = [.. macs.Union(await connection.QueryAsync<string>(reading.Sql(MacsOfDomains), new { Uuids = reading.List(uuids) }), StringComparer.Ordinal)];
        }
        var parameters = reading.When(now, at, new { Name = query.Kind == QueryKind.Name ? query.Value : null, Uuids = reading.List(uuids), Macs = reading.List(macs), Ip = ip });
        async Task<HistoryResult> NearestAsync(string[] statements, bool before)
        {
            // One candidate per table; ties go to the VM, then its NIC, then an address.
            var candidates = new List<(long HostId, long ValidFrom, long? ValidTo, HistoryResult Row)>();
            if (await connection.QuerySingleOrDefaultAsync<DomainRow>(reading.Sql(statements[0]), parameters) is { } domain)
            {
                candidates.Add((domain.HostId, domain.ValidFrom, domain.ValidTo, HistoryResult.Empty with { Domains = [domain] }));
            }
            if (await connection.QuerySingleOrDefaultAsync<NicRow>(reading.Sql(statements[1]), parameters) is { } nic)
            {
                candidates.Add((nic.HostId, nic.ValidFrom, nic.ValidTo, HistoryResult.Empty with { Nics = [nic] }));
            }
            if (await connection.QuerySingleOrDefaultAsync<BindingRow>(reading.Sql(statements[2]), parameters) is { } binding)
            {
                candidates.Add((binding.HostId, binding.ValidFrom, binding.ValidTo, HistoryResult.Empty with { Bindings = [binding] }));
            }
            var hosts = (await connection.QueryAsync<HostRow>(reading.Sql(StoreReading.HostsById), new { Ids = reading.List(candidates.Select(c => c.HostId).Distinct()) })).ToDictionary(h => h.Id);
            // A row that the before-statement found open ended at its silent host's last report.
            var nearest = before
                ? candidates.OrderByDescending(c => c.ValidTo ?? hosts[c.HostId].LastReport).FirstOrDefault()
                : candidates.OrderBy(c => c.ValidFrom).FirstOrDefault();
            return nearest.Row is { } row ? row with { Hosts = new Dictionary<long, HostRow> { [nearest.HostId] = hosts[nearest.HostId] } } : HistoryResult.Empty;
        }
        return new NearestIntervals(await NearestAsync(BeforeStatements, before: true), await NearestAsync(AfterStatements, before: false));
    }
}
