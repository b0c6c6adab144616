using System.Data;
using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Traffic;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>What holds now, cluster-wide: the hosts, every open interval (for the audit and the tunnel report), the links' counters and their traffic.</summary>
public sealed class StateReader(StoreReading reading) : IStateReader
{
    private static readonly string OpenDomains = $"SELECT {StoreReading.DomainColumns} FROM domains d WHERE d.valid_to IS NULL";

    private static readonly string OpenNics = $"SELECT {StoreReading.NicColumns} FROM nics n WHERE n.valid_to IS NULL";

    private static readonly string OpenBindings = $"""
        SELECT {StoreReading.BindingColumns} FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE b.valid_to IS NULL AND {StoreReading.LeaseValidAt("b", "@Now")}
        """;

    private static readonly string OpenNetworks = $"SELECT {FactCatalogue.Networks.RowColumns("w")} FROM networks w WHERE w.valid_to IS NULL";

    private static readonly string OpenLinks = $"SELECT {FactCatalogue.Links.RowColumns("l")} FROM links l WHERE l.valid_to IS NULL";

    private static readonly string OpenConfigured =
        $"SELECT {FactCatalogue.Configured.RowColumns("c")} FROM configured_interfaces c WHERE c.valid_to IS NULL";

    public async Task<ClusterState> CurrentStateAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        // One snapshot of the database for all seven reads: PostgreSQL's default gives each statement its own.
        await using var transaction = await connection.BeginTransactionAsync(IsolationLevel.RepeatableRead, cancellationToken);
        var at = new { Now = now.ToUnixTimeMilliseconds() };
        return new ClusterState(
            (await connection.QueryAsync<HostRow>(StoreReading.SelectHosts + " ORDER BY h.name", transaction: transaction)).AsList(),
            (await connection.QueryAsync<DomainRow>(OpenDomains, transaction: transaction)).AsList(),
            (await connection.QueryAsync<NicRow>(OpenNics, transaction: transaction)).AsList(),
            (await connection.QueryAsync<BindingRow>(OpenBindings, at, transaction)).AsList(),
            (await connection.QueryAsync<NetworkRow>(OpenNetworks, transaction: transaction)).AsList(),
            (await connection.QueryAsync<LinkRow>(OpenLinks, transaction: transaction)).AsList(),
            (await connection.QueryAsync<ConfiguredRow>(OpenConfigured, transaction: transaction)).AsList());
    }

    public async Task<IReadOnlyList<HostRow>> ListHostsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<HostRow>(StoreReading.SelectHosts + " ORDER BY h.name")).AsList();
    }

    public async Task<IReadOnlyList<LinkCounterRow>> LinkCountersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<LinkCounterRow>(new CommandDefinition(
            """
            SELECT h.name AS Host, c.link AS Link, c.rx_bytes AS RxBytes, c.tx_bytes AS TxBytes
            FROM link_counters c JOIN hosts h ON h.id = c.host_id ORDER BY h.name, c.link
            """, cancellationToken: cancellationToken))).ToList();
    }

    private const string SelectTraffic = """
        SELECT t.host_id AS HostId, t.link AS Link, t.resolution AS Resolution, t.valid_from AS ValidFrom, t.valid_to AS ValidTo,
               t.rx_bytes AS RxBytes, t.tx_bytes AS TxBytes, t.rx_packets AS RxPackets, t.tx_packets AS TxPackets
        FROM link_traffic t
        WHERE t.valid_to > @Since AND (@Host IS NULL OR t.host_id = (SELECT id FROM hosts WHERE name = @Host))
        ORDER BY t.host_id, t.link, t.valid_to
        """;

    public async Task<IReadOnlyList<TrafficRow>> TrafficAsync(string? hostName, DateTimeOffset since, CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<TrafficRow>(SelectTraffic, new { Host = hostName, Since = since.ToUnixTimeMilliseconds() })).AsList();
    }
}
