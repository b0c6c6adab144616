using Dapper;
using DaemonNet.Collector.Traffic;
using DaemonNet.Protos.V1;

namespace DaemonNet.Collector.Storage;

/// <summary>Traffic counters: each reading becomes the traffic since the previous one; old rows are summed into coarser ones.</summary>
public sealed partial class InventoryStore
{
    private const string SelectCounterReadings = """
        SELECT link AS Link, boot_id AS BootId, ifindex AS Ifindex, sampled_at AS SampledAt, rx_bytes AS RxBytes,
               tx_bytes AS TxBytes, rx_packets AS RxPackets, tx_packets AS TxPackets
        FROM link_counters WHERE host_id = @HostId
        """;

    // A replayed reading older than the stored one does not move it back.
    private const string UpsertCounterReading = """
        INSERT INTO link_counters (host_id, link, boot_id, ifindex, sampled_at, rx_bytes, tx_bytes, rx_packets, tx_packets)
        VALUES (@HostId, @Link, @BootId, @Ifindex, @SampledAt, @RxBytes, @TxBytes, @RxPackets, @TxPackets)
        ON CONFLICT (host_id, link) DO UPDATE SET
            boot_id = excluded.boot_id, ifindex = excluded.ifindex, sampled_at = excluded.sampled_at,
            rx_bytes = excluded.rx_bytes, tx_bytes = excluded.tx_bytes, rx_packets = excluded.rx_packets, tx_packets = excluded.tx_packets
        WHERE excluded.sampled_at >= link_counters.sampled_at
        """;

    private const string InsertTraffic = """
        INSERT INTO link_traffic (host_id, link, resolution, valid_from, valid_to, rx_bytes, tx_bytes, rx_packets, tx_packets)
        VALUES (@HostId, @Link, 0, @ValidFrom, @ValidTo, @RxBytes, @TxBytes, @RxPackets, @TxPackets)
        """;

    public async Task<IReadOnlyList<LinkCounterRow>> LinkCountersAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        return (await connection.QueryAsync<LinkCounterRow>(new CommandDefinition(
            """
            SELECT h.name AS Host, c.link AS Link, c.rx_bytes AS RxBytes, c.tx_bytes AS TxBytes
            FROM link_counters c JOIN hosts h ON h.id = c.host_id ORDER BY h.name, c.link
            """, cancellationToken: cancellationToken))).ToList();
    }

    private void RecordCounters(Scope scope, CounterSample? sample)
    {
        if (sample is null || sample.Links.Count == 0)
        {
            return;
        }
        var readings = sample.Links.Select(l => new CounterReading(l.Link, sample.BootId, l.Ifindex, scope.Now,
            unchecked((long)l.RxBytes), unchecked((long)l.TxBytes), unchecked((long)l.RxPackets), unchecked((long)l.TxPackets))).ToList();
        scope.Readings = readings;
        if (!sampler.IsDue(scope.HostId, readings, scope.Now, out var beforeRestart))
        {
            return;
        }
        scope.CountersRecorded = true;
        var anchors = scope.Connection.Query<CounterReading>(SelectCounterReadings, new { scope.HostId }, scope.Transaction)
            .ToDictionary(r => r.Link, StringComparer.Ordinal);
        var flowed = TrafficSampler.Flowed(anchors, readings, beforeRestart);
        if (flowed.Count > 0)
        {
            scope.Connection.Execute(InsertTraffic, flowed.Select(f => WithValues(f, ("HostId", scope.HostId))), scope.Transaction);
        }
        scope.Connection.Execute(UpsertCounterReading, readings.Select(r => WithValues(r, ("HostId", scope.HostId))), scope.Transaction);
    }

    private void CountersCommitted(Scope scope)
    {
        if (scope.Readings is { } readings)
        {
            sampler.Committed(scope.HostId, readings, scope.CountersRecorded, scope.Now);
        }
    }

    // Rows are grouped by the bucket their end falls in; the cut-off is a bucket boundary, so
    // every bucket summed is complete.
    private const string SumTraffic = """
        INSERT INTO link_traffic (host_id, link, resolution, valid_from, valid_to, rx_bytes, tx_bytes, rx_packets, tx_packets)
        SELECT host_id, link, @To, min(valid_from), max(valid_to), sum(rx_bytes), sum(tx_bytes), sum(rx_packets), sum(tx_packets)
        FROM link_traffic WHERE resolution = @From AND valid_to < @Before
        GROUP BY host_id, link, valid_to / (@To * 1000);
        DELETE FROM link_traffic WHERE resolution = @From AND valid_to < @Before;
        """;

    public async Task<long> DownsampleTrafficAsync(TrafficResolution resolution, DateTimeOffset now, CancellationToken cancellationToken)
    {
        long rows = 0;
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            using var transaction = writer.BeginTransaction();
            // Two collectors summing the same rows at once would count them twice.
            Serialize("downsample traffic", transaction);
            foreach (var (from, to, age) in resolution.Steps)
            {
                var bucket = to * 1000L;
                var before = (now - age).ToUnixTimeMilliseconds() / bucket * bucket;
                rows += writer.Execute(SumTraffic, new { From = from, To = to, Before = before }, transaction);
            }
            transaction.Commit();
        }
        finally
        {
            writeLock.Release();
        }
        return rows;
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
        await using var connection = await OpenReaderAsync(cancellationToken);
        return (await connection.QueryAsync<TrafficRow>(SelectTraffic, new { Host = hostName, Since = since.ToUnixTimeMilliseconds() })).AsList();
    }
}
