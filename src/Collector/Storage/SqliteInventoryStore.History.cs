using Dapper;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Collector.Storage;

/// <summary>History: every interval about a VM, MAC or address that overlaps a span.</summary>
public sealed partial class SqliteInventoryStore
{
    private static readonly string DomainSpans = $"""
        SELECT {DomainColumns} FROM domains d
        WHERE {Overlaps("d")} AND (d.name = @Name COLLATE NOCASE OR d.uuid IN @Uuids)
        """;

    private static readonly string NicSpans = $"""
        SELECT {NicColumns}
        FROM nics n WHERE {Overlaps("n")} AND (n.domain_uuid IN @Uuids OR n.mac IN @Macs)
        """;

    private static readonly string BindingSpansOfMacs = $"""
        SELECT {BindingColumns} FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE {Overlaps("b")} AND b.mac IN @Macs
        """;

    private static readonly string BindingSpansOfIp = $"""
        SELECT {BindingColumns} FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE {Overlaps("b")} AND b.ip = @Ip
        """;

    private static readonly string SilenceSpans = $"""
        SELECT s.host_id AS HostId, s.valid_from AS ValidFrom, s.valid_to AS ValidTo
        FROM host_silences s WHERE {Overlaps("s")} AND s.host_id IN @HostIds
        """;

    public async Task<HistoryResult> HistoryAsync(InventoryQuery query, DateTimeOffset? since, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        var span = new { Since = since?.ToUnixTimeMilliseconds() ?? long.MinValue, Until = until?.ToUnixTimeMilliseconds() ?? long.MaxValue };
        List<BindingRecord> bindings = [];
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
                bindings = (await connection.QueryAsync<BindingRecord>(BindingSpansOfIp, Merge(span, new { Ip = query.Value }))).AsList();
                macs = bindings.Select(b => b.Mac).Distinct().ToArray();
                break;
        }
        // The NICs that ever carried the MACs name the VMs; the VMs' NICs name their other MACs.
        var nics = (await connection.QueryAsync<NicSpan>(NicSpans, Merge(span, new { Uuids = uuids, Macs = macs }))).AsList();
        uuids = [.. uuids.Union(nics.Select(n => n.DomainUuid))];
        var domains = (await connection.QueryAsync<DomainRecord>(DomainSpans,
            Merge(span, new { Name = query.Kind == QueryKind.Name ? query.Value : null, Uuids = uuids }))).AsList();
        if (query.Kind == QueryKind.Name)
        {
            uuids = [.. domains.Select(d => d.Uuid).Distinct()];
            nics = (await connection.QueryAsync<NicSpan>(NicSpans, Merge(span, new { Uuids = uuids, Macs = Array.Empty<string>() }))).AsList();
        }
        if (query.Kind != QueryKind.Ip)
        {
            macs = [.. macs.Union(nics.Select(n => n.Mac))];
            bindings = (await connection.QueryAsync<BindingRecord>(BindingSpansOfMacs, Merge(span, new { Macs = macs }))).AsList();
        }
        var involved = domains.Select(d => d.HostId).Concat(nics.Select(n => n.HostId))
            .Concat(bindings.Select(b => b.HostId)).Distinct().ToArray();
        var hosts = (await connection.QueryAsync<HostRecord>(HostsById, new { Ids = involved })).ToDictionary(h => h.Id);
        var silences = (await connection.QueryAsync<SilenceSpan>(SilenceSpans, Merge(span, new { HostIds = involved }))).AsList();
        return new HistoryResult(hosts, domains, nics, bindings, silences);
    }
}
