using DaemonNet.Collector.Traffic;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Counter readings, inside the ingest writer's transaction: each link's latest reading is kept,
/// and when the sampler says so the traffic since the previous reading becomes a row.
/// </summary>
internal sealed class CounterWriter(TrafficSampler sampler)
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

    /// <summary>Records the write's readings, stamped with the instant it is filed at.</summary>
    public void Record(WriteScope scope, IReadOnlyList<CounterReading> sample)
    {
        if (sample.Count == 0)
        {
            return;
        }
        var readings = sample.Select(r => r with { SampledAt = scope.Now }).ToList();
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
            scope.Connection.Execute(InsertTraffic, flowed.Select(f => WithHost(f, scope.HostId)), scope.Transaction);
        }
        scope.Connection.Execute(UpsertCounterReading, readings.Select(r => WithHost(r, scope.HostId)), scope.Transaction);
    }

    /// <summary>Once the write committed: the sampler remembers what it recorded.</summary>
    public void Committed(WriteScope scope)
    {
        if (scope.Readings is { } readings)
        {
            sampler.Committed(scope.HostId, readings, scope.CountersRecorded, scope.Now);
        }
    }

    private static DynamicParameters WithHost(object values, long hostId)
    {
        var parameters = new DynamicParameters(values);
        parameters.Add("HostId", hostId);
        return parameters;
    }
}
