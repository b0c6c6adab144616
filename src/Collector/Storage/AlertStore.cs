using System.Data.Common;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Alerting's tables: the outbox of committed changes, the alerts raised (their rule, time and
/// dedup key in columns, the rest a document the alerting code writes), each sink's delivery, and
/// the conditions announced; and the history questions alert rules ask.
/// </summary>
/// <param name="origin">This collector's name in the outbox rows its ingest writer writes (<see cref="IngestWriter.Origin"/>).</param>
public sealed class AlertStore(StoreWriter writer, StoreReading reading, string origin) : IAlertStore
{
    /// <summary>How long another collector's outbox rows are left to it before any collector raises their alerts.</summary>
    public static readonly TimeSpan OrphanedAfter = TimeSpan.FromSeconds(30);

    public async Task<IReadOnlyList<PendingChanges>> PendingChangesAsync(int limit, CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        // Another collector's rows are left to it for a while: it raises them itself unless it stopped.
        var othersBefore = reading.Database.HostLease is null ? long.MaxValue : DateTimeOffset.UtcNow.Add(-OrphanedAfter).ToUnixTimeMilliseconds();
        return (await connection.QueryAsync<PendingChanges>(new CommandDefinition(
            "SELECT id AS Id, events AS Events FROM alert_outbox WHERE origin = @Origin OR at < @OthersBefore ORDER BY id LIMIT @Limit",
            new { Origin = origin, OthersBefore = othersBefore, Limit = limit }, cancellationToken: cancellationToken))).AsList();
    }

    public Task<IReadOnlyList<StoredAlert>?> RecordAsync(AlertBatch batch, CancellationToken cancellationToken) =>
        writer.InTransactionAsync<IReadOnlyList<StoredAlert>?>(transaction =>
        {
            var connection = writer.Connection;
            if (batch.Consumes is { } outboxRow && connection.Execute("DELETE FROM alert_outbox WHERE id = @Id", new { Id = outboxRow }, transaction) == 0)
            {
                // Another collector of the shared database raised these already.
                return [];
            }
            if (batch.JudgedAgainst is { } judgedAgainst && !StillOpen(judgedAgainst, transaction))
            {
                return null;
            }
            var stored = new List<StoredAlert>();
            var repeats = new HashSet<string>(StringComparer.Ordinal);
            foreach (var alert in batch.Alerts)
            {
                if (Raise(alert, transaction) is { } raised)
                {
                    stored.Add(raised);
                }
                else
                {
                    repeats.Add(alert.DedupKey);
                }
            }
            connection.Execute("DELETE FROM alert_conditions WHERE condition_key = @Key", batch.ConditionsEnded.Select(key => new { Key = key }), transaction);
            connection.Execute("""
                INSERT INTO alert_conditions (condition_key, since, document, announced) VALUES (@Key, @Since, @Document, @Announced)
                ON CONFLICT (condition_key) DO UPDATE SET since = excluded.since, document = excluded.document, announced = excluded.announced
                """,
                batch.ConditionsStarted.Select(s => new { s.Key, Since = s.Value.At, s.Value.Document, Announced = repeats.Contains(s.Key) ? 0 : 1 }), transaction);
            return stored;
        }, cancellationToken);

    /// <summary>Whether the open conditions are still those given, held so until the transaction ends.</summary>
    private bool StillOpen(IReadOnlyDictionary<string, OpenCondition> judgedAgainst, DbTransaction transaction)
    {
        writer.Serialize("alert conditions", transaction);
        var open = writer.Connection.Query<(string Key, long Since)>("SELECT condition_key, since FROM alert_conditions", transaction: transaction).AsList();
        return open.Count == judgedAgainst.Count
            && open.TrueForAll(row => judgedAgainst.TryGetValue(row.Key, out var condition) && condition.Since == row.Since);
    }

    /// <summary>Stores one alert, or counts it as a repeat of one with its key within its window (then null).</summary>
    private StoredAlert? Raise(NewAlert alert, DbTransaction transaction)
    {
        var connection = writer.Connection;
        // Collectors that share the database raise the same condition: the second sees the first's alert.
        writer.Serialize($"alert {alert.DedupKey}", transaction);
        var earlier = connection.QueryFirstOrDefault<long?>(
            "SELECT id FROM alerts WHERE dedup_key = @Key AND last_seen >= @Since ORDER BY last_seen DESC LIMIT 1",
            new { Key = alert.DedupKey, Since = alert.At - (long)alert.Window.TotalMilliseconds }, transaction);
        if (earlier is { } id)
        {
            connection.Execute("UPDATE alerts SET repeats = repeats + 1, last_seen = CASE WHEN last_seen > @At THEN last_seen ELSE @At END WHERE id = @Id",
                new { Id = id, alert.At }, transaction);
            return null;
        }
        var newId = connection.ExecuteScalar<long>(
            "INSERT INTO alerts (rule, dedup_key, at, last_seen, document) VALUES (@Rule, @Key, @At, @At, @Document) RETURNING id",
            new { alert.Rule, Key = alert.DedupKey, alert.At, alert.Document }, transaction);
        connection.Execute("INSERT INTO alert_deliveries (alert_id, sink, state) VALUES (@Id, @Sink, @State)",
            alert.Sinks.Select(sink => new { Id = newId, Sink = sink, State = (int)AlertDeliveryState.Pending }), transaction);
        return new StoredAlert(newId, alert.Rule, alert.At, 0, alert.Document,
            [.. alert.Sinks.Select(sink => new StoredDelivery(sink, AlertDeliveryState.Pending, 0, "", null))]);
    }

    public Task RecordDeliveryAsync(long alertId, StoredDelivery delivery, CancellationToken cancellationToken) => writer.RunAsync(() =>
        writer.Connection.Execute(
            """
            INSERT INTO alert_deliveries (alert_id, sink, state, attempts, last_error, delivered_at)
            VALUES (@AlertId, @Sink, @State, @Attempts, @LastError, @DeliveredAt)
            ON CONFLICT (alert_id, sink) DO UPDATE SET state = excluded.state, attempts = excluded.attempts,
                last_error = excluded.last_error, delivered_at = excluded.delivered_at
            """,
            new { AlertId = alertId, delivery.Sink, State = (int)delivery.State, delivery.Attempts, delivery.LastError, delivery.DeliveredAt }), cancellationToken);

    public async Task<IReadOnlyList<(StoredAlert Alert, StoredDelivery Delivery)>> PendingDeliveriesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(long Id, string Rule, long At, int Repeats, byte[] Document, string Sink, int Attempts, string LastError)>(new CommandDefinition(
            """
            SELECT a.id, a.rule, a.at, a.repeats, a.document, d.sink, d.attempts, d.last_error FROM alert_deliveries d JOIN alerts a ON a.id = d.alert_id
            WHERE d.state = @Pending ORDER BY a.id
            """, new { Pending = (int)AlertDeliveryState.Pending }, cancellationToken: cancellationToken));
        return [.. rows.Select(r =>
        {
            var delivery = new StoredDelivery(r.Sink, AlertDeliveryState.Pending, r.Attempts, r.LastError, null);
            return (new StoredAlert(r.Id, r.Rule, r.At, r.Repeats, r.Document, [delivery]), delivery);
        })];
    }

    public async Task<IReadOnlyList<StoredAlert>> RecentAlertsAsync(DateTimeOffset? since, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        var alerts = (await connection.QueryAsync<(long Id, string Rule, long At, int Repeats, byte[] Document)>(new CommandDefinition(
            "SELECT id, rule, at, repeats, document FROM alerts WHERE at >= @Since ORDER BY at DESC, id DESC LIMIT @Limit",
            new { Since = since?.ToUnixTimeMilliseconds() ?? long.MinValue, Limit = limit }, cancellationToken: cancellationToken))).AsList();
        if (alerts.Count == 0)
        {
            return [];
        }
        var deliveries = (await connection.QueryAsync<(long AlertId, string Sink, int State, int Attempts, string LastError, long? DeliveredAt)>(new CommandDefinition(
            "SELECT alert_id, sink, state, attempts, last_error, delivered_at FROM alert_deliveries WHERE alert_id >= @First AND alert_id <= @Last ORDER BY sink",
            new { First = alerts.Min(a => a.Id), Last = alerts.Max(a => a.Id) }, cancellationToken: cancellationToken)))
            .ToLookup(d => d.AlertId, d => new StoredDelivery(d.Sink, (AlertDeliveryState)d.State, d.Attempts, d.LastError, d.DeliveredAt));
        return [.. alerts.Select(a => new StoredAlert(a.Id, a.Rule, a.At, a.Repeats, a.Document, [.. deliveries[a.Id]]))];
    }

    public async Task<IReadOnlyDictionary<string, OpenCondition>> OpenConditionsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Key, byte[] Document, long Since, long Announced)>(new CommandDefinition(
            "SELECT condition_key, document, since, announced FROM alert_conditions", cancellationToken: cancellationToken));
        return rows.ToDictionary(r => r.Key, r => new OpenCondition(r.Document, r.Since, r.Announced != 0), StringComparer.Ordinal);
    }

    public async Task<bool> MacSeenBeforeAsync(string mac, DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            """
            SELECT EXISTS (SELECT 1 FROM nics WHERE mac = @Mac AND valid_from < @Before)
                OR EXISTS (SELECT 1 FROM bindings WHERE mac = @Mac AND valid_from < @Before)
            """, new { Mac = mac, Before = before.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<bool> PairingSeenBeforeAsync(string mac, string ip, DateTimeOffset before, CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        return await connection.ExecuteScalarAsync<bool>(new CommandDefinition(
            "SELECT EXISTS (SELECT 1 FROM bindings WHERE ip = @Ip AND mac = @Mac AND valid_from < @Before)",
            new { Mac = mac, Ip = ip, Before = before.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
    }

    public async Task<(string Mac, bool StillHolds)?> PreviousHolderAsync(string host, string ip, string mac, DateTimeOffset at, CancellationToken cancellationToken)
    {
        // As things stood when the address was taken: the outbox may be read well after the commit.
        await using var connection = await reading.OpenAsync(cancellationToken);
        var rows = await connection.QueryAsync<(string Mac, bool StillHolds)>(new CommandDefinition(
            """
            SELECT b.mac, (b.valid_to IS NULL OR b.valid_to > @At) AS still FROM bindings b JOIN hosts h ON h.id = b.host_id
            WHERE b.ip = @Ip AND h.name = @Host AND b.mac <> @Mac AND b.valid_from < @At
            ORDER BY still DESC, b.valid_to DESC LIMIT 1
            """, new { Host = host, Ip = ip, Mac = mac, At = at.ToUnixTimeMilliseconds() }, cancellationToken: cancellationToken));
        return rows.Select(r => ((string, bool)?)r).FirstOrDefault();
    }
}
