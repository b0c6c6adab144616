using Dapper;
using DaemonNet.Protos.V1;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Collector.Storage;

/// <summary>Alerting's tables: the alerts raised, their deliveries, the open conditions; and the history questions alert rules ask.</summary>
public sealed partial class InventoryStore : IAlertStore
{
    public async Task<IReadOnlyList<PendingChanges>> PendingChangesAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        // Another collector's rows are left to it for a while: it raises them itself unless it stopped.
        var othersBefore = database.HostLease is null ? long.MaxValue : DateTimeOffset.UtcNow.Add(-OrphanedAfter).ToUnixTimeMilliseconds();
        return (await connection.QueryAsync<PendingChanges>(new CommandDefinition(
            "SELECT id AS Id, events AS Events FROM alert_outbox WHERE origin = @Origin OR at < @OthersBefore ORDER BY id LIMIT @Limit",
            new { Origin, OthersBefore = othersBefore, Limit = limit }, cancellationToken: cancellationToken))).AsList();
    }

    /// <summary>How long another collector's outbox rows are left to it before any collector raises their alerts.</summary>
    public static readonly TimeSpan OrphanedAfter = TimeSpan.FromSeconds(30);

    public async Task<IReadOnlyList<Alert>> RecordAsync(AlertRecord record, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            using var transaction = writer.BeginTransaction();
            if (record.Consumes is { } outboxRow && writer.Execute("DELETE FROM alert_outbox WHERE id = @Id", new { Id = outboxRow }, transaction) == 0)
            {
                // Another collector of the shared database raised these already.
                return [];
            }
            var stored = new List<Alert>();
            foreach (var raise in record.Alerts)
            {
                if (Raise(raise, transaction) is { } alert)
                {
                    stored.Add(alert);
                }
            }
            writer.Execute("DELETE FROM alert_conditions WHERE condition_key = @Key", record.ConditionsEnded.Select(key => new { Key = key }), transaction);
            writer.Execute("""
                INSERT INTO alert_conditions (condition_key, since, document) VALUES (@Key, @Since, @Document)
                ON CONFLICT (condition_key) DO UPDATE SET since = excluded.since, document = excluded.document
                """,
                record.ConditionsStarted.Select(s => new { s.Key, Since = s.Value.At.ToDateTimeOffset().ToUnixTimeMilliseconds(), Document = s.Value.ToByteArray() }),
                transaction);
            transaction.Commit();
            return stored;
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>Stores one alert, or counts it as a repeat of one with its key within its window (then null).</summary>
    private Alert? Raise(AlertToRaise raise, System.Data.Common.DbTransaction transaction)
    {
        var at = raise.Alert.At.ToDateTimeOffset().ToUnixTimeMilliseconds();
        // Collectors that share the database raise the same condition: the second sees the first's alert.
        Serialize($"alert {raise.DedupKey}", transaction);
        var earlier = writer.QueryFirstOrDefault<long?>(
            "SELECT id FROM alerts WHERE dedup_key = @Key AND last_seen >= @Since ORDER BY last_seen DESC LIMIT 1",
            new { Key = raise.DedupKey, Since = at - (long)raise.Window.TotalMilliseconds }, transaction);
        if (earlier is { } id)
        {
            writer.Execute("UPDATE alerts SET repeats = repeats + 1, last_seen = CASE WHEN last_seen > @At THEN last_seen ELSE @At END WHERE id = @Id", new { Id = id, At = at }, transaction);
            return null;
        }
        var stored = raise.Alert.Clone();
        stored.Deliveries.Clear();
        stored.Repeats = 0;
        stored.Id = writer.ExecuteScalar<long>(
            "INSERT INTO alerts (rule, dedup_key, at, last_seen, document) VALUES (@Rule, @Key, @At, @At, @Document) RETURNING id",
            new { stored.Rule, Key = raise.DedupKey, At = at, Document = stored.ToByteArray() }, transaction);
        writer.Execute("INSERT INTO alert_deliveries (alert_id, sink, state) VALUES (@Id, @Sink, @State)",
            raise.Sinks.Select(sink => new { stored.Id, Sink = sink, State = (int)DeliveryState.Pending }), transaction);
        stored.Deliveries.Add(raise.Sinks.Select(sink => new AlertDelivery { Sink = sink, State = DeliveryState.Pending }));
        return stored;
    }

    public async Task RecordDeliveryAsync(long alertId, AlertDelivery delivery, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            writer.Execute(
                """
                INSERT INTO alert_deliveries (alert_id, sink, state, attempts, last_error, delivered_at)
                VALUES (@AlertId, @Sink, @State, @Attempts, @LastError, @DeliveredAt)
                ON CONFLICT (alert_id, sink) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
                    last_error = excluded.last_error, delivered_at = excluded.delivered_at
                """,
                new
                {
                    AlertId = alertId, delivery.Sink, State = (int)delivery.State, delivery.Attempts, delivery.LastError,
                    DeliveredAt = delivery.DeliveredAt?.ToDateTimeOffset().ToUnixTimeMilliseconds(),
                });
        }
        finally
        {
            writeLock.Release();
        }
    }

    public async Task<IReadOnlyList<(Alert Alert, string Sink)>> PendingDeliveriesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, byte[] Document, string Sink, int Attempts)>(new CommandDefinition(
            """
            SELECT a.id, a.document, d.sink, d.attempts FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
            WHERE d.state = @Pending ORDER BY a.id
            """, new { Pending = (int)DeliveryState.Pending }, cancellationToken: cancellationToken));
        return rows.Select(r =>
        {
            var alert = Alert.Parser.ParseFrom(r.Document);
            alert.Id = r.Id;
            alert.Deliveries.Add(new AlertDelivery { Sink = r.Sink, State = DeliveryState.Pending, Attempts = r.Attempts });
            return (alert, r.Sink);
        }).ToList();
    }

    public async Task<IReadOnlyList<Alert>> RecentAlertsAsync(DateTimeOffset? since, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        var alerts = (await connection.QueryAsync<(long Id, int Repeats, byte[] Document)>(new CommandDefinition(
            "SELECT id, repeats, document FROM alerts WHERE at >= @Since ORDER BY at DESC, id DESC LIMIT @Limit",
            new { Since = since?.ToUnixTimeMilliseconds() ?? long.MinValue, Limit = limit }, cancellationToken: cancellationToken)))
            .Select(r =>
            {
                var alert = Alert.Parser.ParseFrom(r.Document);
                alert.Id = r.Id;
                alert.Repeats = r.Repeats;
                return alert;
            }).ToList();
        if (alerts.Count == 0)
        {
            return alerts;
        }
        var deliveries = await connection.QueryAsync<(long AlertId, string Sink, int State, int Attempts, string LastError, long? DeliveredAt)>(new CommandDefinition(
            "SELECT alert_id, sink, state, attempts, last_error, delivered_at FROM alert_deliveries WHERE alert_id >= @First AND alert_id <= @Last ORDER BY sink",
            new { First = alerts.Min(a => a.Id), Last = alerts.Max(a => a.Id) }, cancellationToken: cancellationToken));
        var byId = alerts.ToDictionary(a => a.Id);
        foreach (var d in deliveries)
        {
            if (byId.TryGetValue(d.AlertId, out var alert))
            {
                alert.Deliveries.Add(new AlertDelivery
                {
                    Sink = d.Sink, State = (DeliveryState)d.State, Attempts = d.Attempts, LastError = d.LastError,
                    DeliveredAt = d.DeliveredAt is { } delivered ? Timestamp.FromDateTimeOffset(StoredTime.ToInstant(delivered)) : null,
                });
            }
        }
        return alerts;
    }

    public async Task<IReadOnlyDictionary<string, Alert>> OpenConditionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Key, byte[] Document)>(new CommandDefinition(
            "SELECT condition_key, document FROM alert_conditions", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Key, r => Alert.Parser.ParseFrom(r.Document), StringComparer.Ordinal);
    }

    public async Task<bool> MacSeenBeforeAsync(string mac, DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (SELECT 1 FROM nics WHERE mac = @Mac AND valid_from < @Before)
                OR EXISTS (SELECT 1 FROM bindings WHERE mac = @Mac AND valid_from < @Before)
            """, new { Mac = mac, Before = before.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<bool> PairingSeenBeforeAsync(string mac, string ip, DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM bindings WHERE ip = @Ip AND mac = @Mac AND valid_from < @Before)",
            new { Mac = mac, Ip = ip, Before = before.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<(string Mac, bool StillHolds)?> PreviousHolderAsync(string host, string ip, string mac, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // As things stood when the address was taken: the outbox may be read well after the commit.
        await using var connection = await OpenReaderAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Mac, bool StillHolds)>(new CommandDefinition(
            """
            SELECT b.mac, (b.valid_to IS NULL OR b.valid_to > @At) AS still FROM bindings b JOIN hosts h ON h.id = b.host_id
            WHERE b.ip = @Ip AND h.name = @Host AND b.mac <> @Mac AND b.valid_from < @At
            ORDER BY still DESC, b.valid_to DESC LIMIT 1
            """, new { Host = host, Ip = ip, Mac = mac, At = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return rows.Select(r => ((string, bool)?)r).FirstOrDefault();
    }
}
