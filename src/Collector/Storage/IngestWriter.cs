using System.Collections.Concurrent;
using System.Data;
using System.Text.Json;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Traffic;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Ingest: a host's report or heartbeat into its intervals, through <see cref="GroupCommit"/>, each
/// acknowledged only once its transaction committed. Keeps each host's open rows between reports
/// (<see cref="OpenRows"/>); with collectors that share a database, a host writes through one of
/// them at a time (<see cref="ClaimHostAsync"/>).
/// </summary>
public sealed class IngestWriter : IIngestWriter, IDisposable
{
    private const string SelectHostByName = """
        SELECT id AS Id, last_report AS LastReport, interval_ms AS IntervalMs, agent_time AS AgentTime FROM hosts WHERE name = @Name
        """;

    private const string UpsertHost = """
        INSERT INTO hosts (name, machine_id, agent_version, kernel, interval_ms, content_hash, errors, agent_time, first_report, last_report,
                           interfaces_configured)
        VALUES (@Name, @MachineId, @AgentVersion, @Kernel, @IntervalMs, @ContentHash, @Errors, @AgentTime, @Now, @Now, @InterfacesConfigured)
        ON CONFLICT (name) DO UPDATE SET
            machine_id = excluded.machine_id, agent_version = excluded.agent_version, kernel = excluded.kernel,
            interval_ms = excluded.interval_ms, content_hash = excluded.content_hash, errors = excluded.errors,
            agent_time = excluded.agent_time, last_report = excluded.last_report, interfaces_configured = excluded.interfaces_configured
        RETURNING id
        """;

    private const string InsertSilence = "INSERT INTO host_silences (host_id, valid_from, valid_to) VALUES (@HostId, @From, @To)";

    private const string InsertOutbox = "INSERT INTO alert_outbox (at, origin, events) VALUES (@At, @Origin, @Events)";

    // One statement: the silence limit is the same expression the queries use.
    private static readonly string ConfirmHeartbeat = $"""
        UPDATE hosts SET last_report = CASE WHEN last_report > @Now THEN last_report ELSE @Now END, agent_time = @AgentTime
        WHERE name = @HostName AND content_hash = @ContentHash
          AND {IntervalRules.HeardWithinLimitSql("hosts")}
        RETURNING id
        """;

    private readonly StoreWriter writer;
    private readonly IntervalRules rules;
    private readonly ICommitListener? listener;
    private readonly GroupCommit groupCommit;
    private readonly CounterWriter counters;

    /// <summary>
    /// Each host's open rows as the writer left them, by host name. Only the writer changes them; a
    /// failed batch forgets them all, and a host whose stream this collector takes or gives up is
    /// forgotten, as another collector may write it meanwhile.
    /// </summary>
    private readonly ConcurrentDictionary<string, OpenRows> openRows = new(StringComparer.Ordinal);

    /// <param name="origin">This collector's name in the alert outbox rows it writes (<see cref="AlertStore"/> raises their alerts).</param>
    /// <param name="listener">Told what each report opened and closed: the change feed.</param>
    public IngestWriter(StoreWriter writer, IntervalRules rules, TrafficResolution traffic, string origin, ICommitListener? listener)
    {
        this.writer = writer;
        this.rules = rules;
        this.listener = listener;
        Origin = origin;
        counters = new CounterWriter(new TrafficSampler(traffic));
        groupCommit = new GroupCommit(writer, rolledBack: openRows.Clear);
    }

    public string Origin { get; }

    public async Task<bool> ClaimHostAsync(string host, CancellationToken cancellationToken)
    {
        openRows.TryRemove(host, out _);
        return writer.Database.HostLease is not { } lease || await writer.RunAsync(() => writer.Connection.ExecuteScalar<bool>(lease.Claim, new { Host = host }), cancellationToken);
    }

    public async Task ReleaseHostAsync(string host, CancellationToken cancellationToken)
    {
        openRows.TryRemove(host, out _);
        if (writer.Database.HostLease is { } lease)
        {
            await writer.RunAsync(() => writer.Connection.ExecuteScalar<bool>(lease.Release, new { Host = host }), cancellationToken);
        }
    }

    public Task ProbeWriteAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        writer.RunAsync(() => writer.Connection.Execute("INSERT INTO health_probe (id, at) VALUES (1, @At) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
            new { At = now.ToUnixTimeMilliseconds() }), cancellationToken);

    public async Task<SnapshotWrite> ApplyAsync(HostReport report, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var errors = JsonSerializer.Serialize(report.Failures.Select(e => new[] { e.Source, e.Message }));
        var held = TimeSpan.Zero;
        var filedAt = 0L;
        await groupCommit.WriteAsync(transaction =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var previous = writer.Prepared.QueryFirstOrDefault<PreviousReport>(SelectHostByName, new { Name = report.Host }, transaction);
            // A replayed observation is filed at its own time, but a host's history never runs backwards.
            var now = Math.Max(receivedAt.ToUnixTimeMilliseconds(), previous?.LastReport ?? long.MinValue);
            filedAt = now;
            if (report.Replayed && previous?.AgentTime is { } latest && report.AgentTime <= latest)
            {
                // Stored already (its acknowledgement was lost), or older than what is: stating it
                // again now would turn the host back to how it was.
                return null;
            }
            var hostId = (long)writer.Prepared.Bind(UpsertHost, new
            {
                Name = report.Host, report.MachineId, report.AgentVersion, report.Kernel, report.IntervalMs, report.ContentHash, Errors = errors, report.AgentTime,
                InterfacesConfigured = report.InterfacesConfigured ? 1L : 0L, Now = now,
            }, transaction).ExecuteScalar()!;
            var scope = new WriteScope(writer.Connection, transaction, hostId, now, previous?.LastReport ?? now, rules.RejoinWindow.Ticks / TimeSpan.TicksPerMillisecond,
                writer.Database, writer.Prepared)
            {
                // Taken, not shared: should this write fail, the host's rows are read again.
                Open = openRows.TryRemove(report.Host, out var kept) ? kept : null,
            };
            if (previous is not null && rules.SilentBetween(previous.LastReport, previous.AgentTime, now, report.AgentTime, previous.IntervalMs))
            {
                // The host was silent: what it said then is not stretched across the gap. What
                // watchers hear is measured against what it had open before.
                scope.EventsBaseline = IntervalWriter.Read(writer.Connection, transaction, hostId, withFacts: true);
                EndSilence(scope, previous.LastReport);
                scope.Open = new OpenRows();
            }
            var intervals = new IntervalWriter(scope);
            // A source that failed said nothing of its facts: the report leaves them out, and they stay as they were.
            foreach (var stated in report.Facts)
            {
                stated.WriteWith(intervals);
            }
            if (scope.Open is { } open)
            {
                openRows[report.Host] = open;
            }
            counters.Record(scope, report.Counters);
            // Alerts are raised from the changes, and other collectors of a shared database hear of
            // them: with the commit, or not at all.
            if (listener?.Encode(scope.Committed.For(report.Host, now, report.VmsByMac)) is { } encoded)
            {
                writer.Prepared.Bind(InsertOutbox, new { At = now, Origin, Events = encoded }, transaction).ExecuteNonQuery();
                if (writer.Database.ChangeLog is { } changeLog)
                {
                    writer.Connection.Execute(changeLog, new { At = now, Events = encoded }, transaction);
                }
            }
            held = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            return () =>
            {
                counters.Committed(scope);
                listener?.Committed(scope.Committed);
            };
        }, cancellationToken);
        return new SnapshotWrite(held, StoredTime.ToInstant(filedAt));
    }

    /// <summary>Ends every open interval of a host back from a silence at its last report, and records the gap.</summary>
    private static void EndSilence(WriteScope scope, long lastReport)
    {
        foreach (var kind in FactCatalogue.All)
        {
            scope.Connection.Execute($"UPDATE {kind.Table} SET valid_to = @LastReport{kind.ClosingAlso.Replace("@LastSeen", "@LastReport", StringComparison.Ordinal)} WHERE host_id = @HostId AND valid_to IS NULL",
                new { scope.HostId, LastReport = lastReport }, scope.Transaction);
        }
        scope.Connection.Execute(InsertSilence, new { scope.HostId, From = lastReport, To = scope.Now }, scope.Transaction);
    }

    public async Task<bool> ConfirmAsync(HeartbeatReport heartbeat, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var confirmed = false;
        await groupCommit.WriteAsync(transaction =>
        {
            // After a silence a heartbeat cannot vouch for the gap: the agent is asked for a
            // snapshot, which ends the silence and opens new intervals. A collector that read the
            // heartbeat late is not a silence when the agent's clock shows it observed on time.
            var now = receivedAt.ToUnixTimeMilliseconds();
            // Heartbeats are most of what a collector receives: their statement is prepared once.
            var command = writer.Prepared.Bind(ConfirmHeartbeat,
            [
                ("HostName", DbType.String, heartbeat.Host),
                ("ContentHash", DbType.String, heartbeat.ContentHash),
                ("AgentTime", DbType.Int64, heartbeat.AgentTime),
                ("Now", DbType.Int64, now),
                ("SilentAfterMs", DbType.Int64, rules.SilentAfter is { } silentAfter ? (long)silentAfter.TotalMilliseconds : null),
            ], transaction);
            var hostId = command.ExecuteScalar() is long found ? found : (long?)null;
            // Set on every run: a batch that is applied again after a rollback runs this again.
            confirmed = hostId is not null;
            if (hostId is not { } id)
            {
                return null;
            }
            var scope = new WriteScope(writer.Connection, transaction, id, now, now, 0, writer.Database, writer.Prepared);
            counters.Record(scope, heartbeat.Counters);
            return () => counters.Committed(scope);
        }, cancellationToken);
        return confirmed;
    }

    private sealed record PreviousReport(long Id, long LastReport, long IntervalMs, long? AgentTime);

    public void Dispose() => groupCommit.Dispose();
}
