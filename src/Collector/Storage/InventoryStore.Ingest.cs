using System.Data;
using System.Data.Common;
using System.Text.Json;
using DaemonNet.Collector.Traffic;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>Ingest: a snapshot or a heartbeat into the intervals of its host, through <see cref="GroupCommit"/>.</summary>
public sealed partial class InventoryStore
{
    private const string SelectHostByName = """
        SELECT id AS Id, last_report AS LastReport, interval_ms AS IntervalMs FROM hosts WHERE name = @Name
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

    private const string InsertOutbox = "INSERT INTO alert_outbox (at, origin, events) VALUES (@At, @Origin, @Events)";

    private const string InsertSilence = """
        INSERT INTO host_silences (host_id, valid_from, valid_to) VALUES (@HostId, @From, @To)
        """;

    public async Task<SnapshotWrite> ApplySnapshotAsync(HostSnapshot snapshot, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var failed = snapshot.Errors.Select(e => e.Source).ToHashSet();
        var contentHash = ContentHash.Of(snapshot);
        var errors = JsonSerializer.Serialize(snapshot.Errors.Select(e => new[] { e.Source, e.Message }));
        var held = TimeSpan.Zero;
        var filedAt = 0L;
        await groupCommit.WriteAsync(transaction =>
        {
            var started = System.Diagnostics.Stopwatch.GetTimestamp();
            var previous = prepared.QueryFirstOrDefault<PreviousReport>(SelectHostByName, new { snapshot.Host.Name }, transaction);
            // A replayed observation is filed at its own time, but a host's history never runs backwards.
            var now = Math.Max(receivedAt.ToUnixTimeMilliseconds(), previous?.LastReport ?? long.MinValue);
            filedAt = now;
            var hostId = (long)prepared.Bind(UpsertHost, new
            {
                snapshot.Host.Name,
                snapshot.Host.MachineId,
                snapshot.Host.AgentVersion,
                snapshot.Host.Kernel,
                IntervalMs = (long)(snapshot.Interval?.ToTimeSpan().TotalMilliseconds ?? 0),
                ContentHash = contentHash,
                Errors = errors,
                AgentTime = snapshot.AgentTime?.ToDateTimeOffset().ToUnixTimeMilliseconds(),
                InterfacesConfigured = snapshot.InterfacesNotConfigured ? 0L : 1L,
                Now = now,
            }, transaction).ExecuteScalar()!;
            var scope = new Scope(writer, transaction, hostId, now, previous?.LastReport ?? now, rules.RejoinWindow.Ticks / TimeSpan.TicksPerMillisecond, database, prepared)
            {
                // Taken, not shared: should this write fail, the host's rows are read again.
                Open = openRows.TryRemove(snapshot.Host.Name, out var kept) ? kept : null,
            };
            var returned = previous is not null && now - previous.LastReport > rules.SilenceLimit(previous.IntervalMs).TotalMilliseconds;
            (List<DomainFact> Domains, List<NicFact> Nics, List<BindingFact> Bindings)? beforeSilence = returned ? OpenFactsBeforeSilence(scope) : null;
            if (returned)
            {
                EndSilence(scope, previous!.LastReport);
                scope.Open = new OpenRows();
            }

            // A source that failed says nothing about its facts: they stay as they were rather
            // than being closed as if they had vanished.
            foreach (var (source, apply) in FactsBySource)
            {
                if (!failed.Contains(source))
                {
                    apply(scope, snapshot);
                }
            }
            if (beforeSilence is { } before)
            {
                scope.Committed.SinceSilence(before.Domains, before.Nics, before.Bindings);
            }
            if (scope.Open is { } open)
            {
                openRows[snapshot.Host.Name] = open;
            }
            RecordCounters(scope, snapshot.Counters);
            // Alerts are raised from the changes, and other collectors of a shared database hear of
            // them: with the commit, or not at all.
            if (listener?.Encode(scope.Committed.For(snapshot, now)) is { } encoded)
            {
                prepared.Bind(InsertOutbox, new { At = now, Origin, Events = encoded }, transaction).ExecuteNonQuery();
                if (database.ChangeLog is { } changeLog)
                {
                    writer.Execute(changeLog, new { At = now, Events = encoded }, transaction);
                }
            }
            held = System.Diagnostics.Stopwatch.GetElapsedTime(started);
            return () =>
            {
                CountersCommitted(scope);
                listener?.Committed(scope.Committed.For(snapshot, now));
            };
        }, cancellationToken);
        return new SnapshotWrite(held, StoredTime.ToInstant(filedAt));
    }

    /// <summary>
    /// The host was silent since its last report: what it said then is not stretched across the
    /// gap. Its open facts end at that report, and the gap itself is recorded.
    /// </summary>
    private static void EndSilence(Scope scope, long lastReport)
    {
        foreach (var table in FactTables)
        {
            var lastSeen = table == "bindings" ? ", last_seen = coalesce(last_seen, @LastReport)" : "";
            scope.Connection.Execute($"UPDATE {table} SET valid_to = @LastReport{lastSeen} WHERE host_id = @HostId AND valid_to IS NULL",
                new { scope.HostId, LastReport = lastReport }, scope.Transaction);
        }
        scope.Connection.Execute(InsertSilence, new { scope.HostId, From = lastReport, To = scope.Now }, scope.Transaction);
    }

    /// <summary>The VMs, NICs and bindings the host had open when it fell silent: what its return is compared with, for the watchers.</summary>
    private static (List<DomainFact> Domains, List<NicFact> Nics, List<BindingFact> Bindings) OpenFactsBeforeSilence(Scope scope)
    {
        using var grid = scope.Connection.QueryMultiple(AllOpenRows, new { scope.HostId }, scope.Transaction);
        var domains = ReadOpen(grid, DomainTable).Select(r => r.Fact).ToList();
        var nics = ReadOpen(grid, NicTable).Select(r => r.Fact).ToList();
        _ = ReadOpen(grid, NetworkTable);
        _ = ReadOpen(grid, LinkTable);
        _ = ReadOpen(grid, ConfiguredTable);
        return (domains, nics, ReadOpen(grid, BindingTable(AddressSource.Unspecified)).Select(r => r.Fact).ToList());
    }

    // One statement: the silence limit is the same expression the queries use (HoldsAt).
    private static readonly string ConfirmHeartbeat = $"""
        UPDATE hosts SET last_report = CASE WHEN last_report > @Now THEN last_report ELSE @Now END, agent_time = @AgentTime
        WHERE name = @HostName AND content_hash = @ContentHash
          AND @Now - last_report <= {IntervalRules.SilenceLimitSql("hosts")}
        RETURNING id
        """;

    public async Task<bool> ConfirmHeartbeatAsync(Heartbeat heartbeat, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var confirmed = false;
        await groupCommit.WriteAsync(transaction =>
        {
            // After a silence a heartbeat cannot vouch for the gap: the agent is asked for a
            // snapshot, which ends the silence and opens new intervals.
            var now = receivedAt.ToUnixTimeMilliseconds();
            // Heartbeats are most of what a collector receives: their statement is prepared once.
            var command = prepared.Bind(ConfirmHeartbeat,
            [
                ("HostName", DbType.String, heartbeat.HostName),
                ("ContentHash", DbType.String, heartbeat.ContentHash),
                ("AgentTime", DbType.Int64, heartbeat.AgentTime?.ToDateTimeOffset().ToUnixTimeMilliseconds()),
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
            var scope = new Scope(writer, transaction, id, now, now, 0, database, prepared);
            RecordCounters(scope, heartbeat.Counters);
            return () => CountersCommitted(scope);
        }, cancellationToken);
        return confirmed;
    }

    private sealed record PreviousReport(long Id, long LastReport, long IntervalMs);

    /// <param name="Database">What differs between the databases: IN lists, rows per INSERT.</param>
    /// <param name="Prepared">The writer's statements that are prepared once.</param>
    private sealed record Scope(DbConnection Connection, DbTransaction Transaction, long HostId, long Now, long PreviousReport, long RejoinWindowMs,
        StoreDatabase Database, PreparedCommands Prepared)
    {
        /// <summary>What this write opened and closed that watchers are told of, once it commits.</summary>
        public CommittedFacts Committed { get; } = new();

        /// <summary>The host's counter readings in this write, if it carried any.</summary>
        public List<CounterReading>? Readings { get; set; }

        /// <summary>Set when this write turned the host's counter readings into traffic rows.</summary>
        public bool CountersRecorded { get; set; }

        /// <summary>The host's open rows: kept from its last snapshot, or else read at the first table's turn.</summary>
        public OpenRows? Open { get; set; }
    }

    /// <summary>
    /// The host's open rows of a table, of its source for bindings. Unless the store kept them
    /// from the host's last snapshot, the first call reads those of every table in one command:
    /// one round trip to PostgreSQL instead of one per table and source.
    /// </summary>
    private static OpenRows OpenRowsOf(Scope scope)
    {
        if (scope.Open is null)
        {
            using var grid = scope.Connection.QueryMultiple(AllOpenRows, new { scope.HostId }, scope.Transaction);
            var open = new OpenRows();
            Keep(open, DomainTable, ReadOpen(grid, DomainTable));
            Keep(open, NicTable, ReadOpen(grid, NicTable));
            Keep(open, NetworkTable, ReadOpen(grid, NetworkTable));
            Keep(open, LinkTable, ReadOpen(grid, LinkTable));
            Keep(open, ConfiguredTable, ReadOpen(grid, ConfiguredTable));
            foreach (var source in ReadOpen(grid, BindingTable(AddressSource.Unspecified)).GroupBy(b => b.Fact.Source))
            {
                Keep(open, BindingTable((AddressSource)source.Key), source);
            }
            scope.Open = open;
        }
        return scope.Open;
    }

    private static List<OpenFact<T>> ReadOpen<T>(SqlMapper.GridReader grid, FactTable<T> table) =>
        grid.Read<long, T, OpenFact<T>>((id, fact) => new OpenFact<T>(id, fact), splitOn: table.FirstColumn).AsList();

    private static void Keep<T>(OpenRows open, FactTable<T> table, IEnumerable<OpenFact<T>> rows) =>
        open.Set<T>(table.Source, rows.Select(row => IntervalDiff.Keep(row, table.KeyHash)).ToList());

    /// <summary>
    /// How one fact table is read and written. <c>Columns</c> are the fact's columns, the first of
    /// which is <c>FirstColumn</c> (where Dapper splits a row into its id and its fact): the host's
    /// open rows are read with them, and an INSERT returns them with each new row's id.
    /// <c>KeyHash</c> hashes what identifies a fact's interval: the whole fact, or a key whose
    /// other attributes <c>Update</c> changes in place. <c>Rejoin</c>, where a table has one, lists
    /// the recently ended rows (id, key) that a new fact with the same <c>RejoinKey</c> continues,
    /// oldest first. <c>Ending</c> is what closing a row sets. <c>Source</c> tells a binding
    /// table's rows of one source from the others.
    /// </summary>
    private sealed record FactTable<T>(string Name, string Columns, string FirstColumn, Func<T, ulong> KeyHash, string Insert, string Ending = "valid_to = @Now",
        string? Update = null, string? Rejoin = null, Func<T, string>? RejoinKey = null, long Source = 0)
    {
        // Built once: a prepared statement is found by its text, for every row.
        public string SelectOpen { get; } = $"SELECT id, {Columns} FROM {Name} WHERE host_id = @HostId AND valid_to IS NULL";

        public string InsertReturning { get; } = $"{Insert} RETURNING id, {Columns}";

        public string CloseOne { get; } = $"UPDATE {Name} SET {Ending} WHERE id = @Id RETURNING id, {Columns}";

        public string CloseMany { get; } = $"UPDATE {Name} SET {Ending} WHERE id IN @Ids RETURNING id, {Columns}";
    }

    private static Changes<T> Apply<T>(Scope scope, FactTable<T> table, IEnumerable<T> current)
        where T : notnull
    {
        var open = OpenRowsOf(scope);
        var rows = open.Of<T>(table.Source);
        var diff = IntervalDiff.Compute(rows, current, table.KeyHash);
        var changes = new Changes<T>();
        changes.Closed.AddRange(Close(scope, table, diff.Close));
        changes.Opened.AddRange(diff.Open);
        changes.Updated.AddRange(diff.Update);
        var inserts = new List<T>();
        var updates = new List<OpenFact<T>>(diff.Update);
        // The latest ended row of each key, as rows come oldest first.
        var rejoinable = new Dictionary<string, long>(StringComparer.Ordinal);
        if (table.Rejoin is not null && diff.Open.Count > 0)
        {
            foreach (var (id, rowKey) in scope.Connection.Query<(long, string)>(table.Rejoin,
                new { scope.HostId, table.Source, WindowStart = scope.Now - scope.RejoinWindowMs }, scope.Transaction))
            {
                rejoinable[rowKey] = id;
            }
        }
        foreach (var fact in diff.Open)
        {
            if (table.RejoinKey is { } rejoinKey && rejoinable.Remove(rejoinKey(fact), out var id))
            {
                updates.Add(new OpenFact<T>(id, fact));
            }
            else
            {
                inserts.Add(fact);
            }
        }
        var inserted = Insert(scope, table, inserts);
        Update(scope, table, updates);
        if (diff.Close.Count > 0 || updates.Count > 0 || inserted.Count > 0)
        {
            var ended = diff.Close.Concat(updates.Select(u => u.Id)).ToHashSet();
            open.Set<T>(table.Source, [.. rows.Where(row => !ended.Contains(row.Id)),
                .. updates.Concat(inserted).Select(row => IntervalDiff.Keep(row, table.KeyHash))]);
        }
        return changes;
    }

    /// <summary>Changes the rows' other attributes in place; a rejoined row opens again. Updates differ row by row: a statement each.</summary>
    private static void Update<T>(Scope scope, FactTable<T> table, List<OpenFact<T>> rows)
        where T : notnull
    {
        if (rows.Count == 0)
        {
            return;
        }
        if (scope.Database.RowsPerInsert == 1)
        {
            foreach (var row in rows)
            {
                scope.Prepared.Bind(table.Update!, PreparedCommands.Values(table.Update!, row.Fact, new Dictionary<string, object?> { ["Id"] = row.Id }),
                    scope.Transaction).ExecuteNonQuery();
            }
            return;
        }
        scope.Connection.Execute(table.Update!, rows.Select(u => WithValues(u.Fact, ("Id", u.Id))), scope.Transaction);
    }

    /// <summary>Ends the rows' intervals now; returns them with their facts, for the watchers.</summary>
    private static List<OpenFact<T>> Close<T>(Scope scope, FactTable<T> table, List<long> ids)
    {
        var closed = new List<OpenFact<T>>(ids.Count);
        if (scope.Database.RowsPerInsert == 1)
        {
            Func<DbDataReader, T>? parse = null;
            foreach (var id in ids)
            {
                using var reader = scope.Prepared.Bind(table.CloseOne, new { scope.Now, LastSeen = scope.PreviousReport, Id = id }, scope.Transaction).ExecuteReader();
                reader.Read();
                parse ??= reader.GetRowParser<T>(startIndex: 1);
                closed.Add(new OpenFact<T>(id, parse(reader)));
            }
            return closed;
        }
        foreach (var chunk in ids.Chunk(CloseChunk))
        {
            closed.AddRange(scope.Connection.Query<long, T, OpenFact<T>>(scope.Database.WithInLists(table.CloseMany), (id, fact) => new OpenFact<T>(id, fact),
                new { scope.Now, LastSeen = scope.PreviousReport, Ids = scope.Database.InList(chunk) }, scope.Transaction, splitOn: table.FirstColumn));
        }
        return closed;
    }

    /// <summary>Inserts a row per fact; returns each with its new row's id.</summary>
    private static List<OpenFact<T>> Insert<T>(Scope scope, FactTable<T> table, List<T> facts)
        where T : notnull
    {
        var inserted = new List<OpenFact<T>>(facts.Count);
        var shared = new Dictionary<string, object?> { ["HostId"] = scope.HostId, ["Now"] = scope.Now };
        var sql = table.InsertReturning;
        if (scope.Database.RowsPerInsert == 1)
        {
            // One row a statement: the row holds the fact as given, and only its id is read back.
            foreach (var fact in facts)
            {
                inserted.Add(new OpenFact<T>((long)scope.Prepared.Bind(sql, PreparedCommands.Values(sql, fact, shared), scope.Transaction).ExecuteScalar()!, fact));
            }
            return inserted;
        }
        foreach (var (statement, values) in MultiRowInsert.Statements(sql, facts, shared, scope.Database.RowsPerInsert))
        {
            inserted.AddRange(scope.Connection.Query<long, T, OpenFact<T>>(statement, (id, fact) => new OpenFact<T>(id, fact), values, scope.Transaction,
                splitOn: table.FirstColumn));
        }
        return inserted;
    }

    /// <summary>Rows closed a statement: SQLite takes each id of the list as a parameter of its own.</summary>
    private const int CloseChunk = 500;

    private static DynamicParameters WithValues(object fact, params (string Name, long Value)[] values)
    {
        var parameters = new DynamicParameters(fact);
        foreach (var (name, value) in values)
        {
            parameters.Add(name, value);
        }
        return parameters;
    }

    private static readonly FactTable<DomainFact> DomainTable = new(
        "domains",
        "uuid AS Uuid, name AS Name, state AS State, persistent AS Persistent",
        "Uuid",
        FactHash<DomainFact>.Of,
        """
        INSERT INTO domains (host_id, uuid, name, state, persistent, valid_from)
        VALUES (@HostId, @Uuid, @Name, @State, @Persistent, @Now)
        """);

    private static readonly FactTable<NicFact> NicTable = new(
        "nics",
        "domain_uuid AS DomainUuid, mac AS Mac, kind AS Kind, network AS Network, bridge AS Bridge, target_dev AS TargetDev",
        "DomainUuid",
        nic => FactHash<(string, string, long, string, string)>.Of(nic.Key),
        """
        INSERT INTO nics (host_id, domain_uuid, mac, kind, network, bridge, target_dev, valid_from)
        VALUES (@HostId, @DomainUuid, @Mac, @Kind, @Network, @Bridge, @TargetDev, @Now)
        """,
        Update: "UPDATE nics SET target_dev = @TargetDev WHERE id = @Id");

    private static readonly FactTable<NetworkFact> NetworkTable = new(
        "networks",
        "name AS Name, uuid AS Uuid, bridge AS Bridge, forward_mode AS ForwardMode, active AS Active, addresses AS Addresses",
        "Name",
        FactHash<NetworkFact>.Of,
        """
        INSERT INTO networks (host_id, name, uuid, bridge, forward_mode, active, addresses, valid_from)
        VALUES (@HostId, @Name, @Uuid, @Bridge, @ForwardMode, @Active, @Addresses, @Now)
        """);

    private static readonly FactTable<LinkFact> LinkTable = new(
        "links",
        """
        name AS Name, kind AS Kind, mac AS Mac, master AS Master, operstate AS Operstate, mtu AS Mtu, addresses AS Addresses,
        tunnel_local AS TunnelLocal, tunnel_remote AS TunnelRemote, tunnel_ttl AS TunnelTtl
        """,
        "Name",
        FactHash<LinkFact>.Of,
        """
        INSERT INTO links (host_id, name, kind, mac, master, operstate, mtu, addresses, tunnel_local, tunnel_remote, tunnel_ttl, valid_from)
        VALUES (@HostId, @Name, @Kind, @Mac, @Master, @Operstate, @Mtu, @Addresses, @TunnelLocal, @TunnelRemote, @TunnelTtl, @Now)
        """);

    private static readonly FactTable<ConfiguredFact> ConfiguredTable = new(
        "configured_interfaces",
        """
        name AS Name, family AS Family, method AS Method, auto AS Auto, address AS Address, netmask AS Netmask,
        endpoint AS Endpoint, local AS Local, ttl AS Ttl, gateway AS Gateway, mode AS Mode, bridge_ports AS BridgePorts,
        file AS File, line AS Line
        """,
        "Name",
        FactHash<ConfiguredFact>.Of,
        """
        INSERT INTO configured_interfaces (host_id, name, family, method, auto, address, netmask, endpoint, local, ttl, gateway, mode,
                                           bridge_ports, file, line, valid_from)
        VALUES (@HostId, @Name, @Family, @Method, @Auto, @Address, @Netmask, @Endpoint, @Local, @Ttl, @Gateway, @Mode,
                @BridgePorts, @File, @Line, @Now)
        """);

    // A binding that ended within the rejoin window continues, unless the host fell silent since
    // (then new intervals start) or another MAC took the address meanwhile (then the old holder's
    // binding really ended). One query finds every such binding of the host and source, on the
    // host index, and the new facts are matched to them in memory: one query per binding was a
    // round trip each to PostgreSQL, and 20,000 of them on SQLite held the writer for seconds.
    // "+o.host_id" keeps SQLite on the address index for the takeover check: on the host index it
    // would scan every binding of the host for each candidate.
    private static FactTable<BindingFact> BindingTable(AddressSource source) =>
        BindingTables.TryGetValue(source, out var table) ? table : NewBindingTable(source);

    private static FactTable<BindingFact> NewBindingTable(AddressSource source) => new(
        "bindings",
        """
        mac AS Mac, ip AS Ip, source AS Source, device AS Device, neighbour_state AS NeighbourState,
        hostname AS Hostname, client_id AS ClientId, lease_expiry AS LeaseExpiry, last_seen AS SeenAt
        """,
        "Mac",
        binding => FactHash<(string, string, long, string)>.Of(binding.Key),
        """
        INSERT INTO bindings (host_id, mac, ip, source, device, neighbour_state, hostname, client_id, lease_expiry, valid_from, last_seen)
        VALUES (@HostId, @Mac, @Ip, @Source, @Device, @NeighbourState, @Hostname, @ClientId, @LeaseExpiry, @Now, @SeenAt)
        """,
        // An open row keeps last_seen only for what the wire showed (when it was last seen); the
        // others get their host's previous report, the last one that showed them.
        "valid_to = @Now, last_seen = coalesce(last_seen, @LastSeen)",
        """
        UPDATE bindings SET neighbour_state = @NeighbourState, hostname = @Hostname, client_id = @ClientId,
               lease_expiry = @LeaseExpiry, valid_to = NULL, last_seen = @SeenAt
        WHERE id = @Id
        """,
        """
        SELECT b.id AS Id, b.mac || ' ' || b.ip || ' ' || b.device AS Key FROM bindings b
        WHERE b.host_id = @HostId AND b.source = @Source AND b.valid_to >= @WindowStart
          AND NOT EXISTS (SELECT 1 FROM host_silences s WHERE s.host_id = b.host_id AND s.valid_from >= b.valid_to)
          AND NOT EXISTS (SELECT 1 FROM bindings o WHERE +o.host_id = b.host_id AND o.ip = b.ip AND o.mac <> b.mac AND o.valid_from >= b.valid_to)
        ORDER BY b.valid_to
        """,
        f => $"{f.Mac} {f.Ip} {f.Device}",
        (long)source);

    // After the tables: static fields are set in the order they are written.
    private static readonly Dictionary<AddressSource, FactTable<BindingFact>> BindingTables = Enum.GetValues<AddressSource>().ToDictionary(s => s, NewBindingTable);

    private static readonly string AllOpenRows = string.Join(";\n",
        DomainTable.SelectOpen, NicTable.SelectOpen, NetworkTable.SelectOpen, LinkTable.SelectOpen, ConfiguredTable.SelectOpen,
        BindingTable(AddressSource.Unspecified).SelectOpen);

    /// <summary>
    /// Each agent source and the facts it states, table by table: the one place where a source's
    /// snapshot fields become interval rows. A new source adds its entry here (and its tables to
    /// <see cref="FactTables"/> and the schema).
    /// </summary>
    private static readonly (string Source, Action<Scope, HostSnapshot> Apply)[] FactsBySource =
    [
        (SourceNames.Libvirt, (scope, snapshot) =>
        {
            scope.Committed.Domains(Apply(scope, DomainTable, SnapshotFacts.Domains(snapshot)));
            scope.Committed.Nics(Apply(scope, NicTable, SnapshotFacts.Nics(snapshot)));
            Apply(scope, NetworkTable, SnapshotFacts.Networks(snapshot));
        }),
        (SourceNames.Kernel, (scope, snapshot) =>
        {
            Apply(scope, LinkTable, SnapshotFacts.Links(snapshot));
            scope.Committed.Bindings(Apply(scope, BindingTable(AddressSource.Neighbour), SnapshotFacts.NeighbourBindings(snapshot)));
        }),
        (SourceNames.Leases, (scope, snapshot) =>
            scope.Committed.Bindings(Apply(scope, BindingTable(AddressSource.Lease), SnapshotFacts.LeaseBindings(snapshot)))),
        (SourceNames.Interfaces, (scope, snapshot) => { Apply(scope, ConfiguredTable, SnapshotFacts.Configured(snapshot)); }),
        (SourceNames.GuestAgent, (scope, snapshot) =>
            scope.Committed.Bindings(Apply(scope, BindingTable(AddressSource.GuestAgent), SnapshotFacts.GuestAgentBindings(snapshot)))),
        (SourceNames.Capture, (scope, snapshot) =>
        {
            scope.Committed.Bindings(Apply(scope, BindingTable(AddressSource.Capture), SnapshotFacts.CapturedBindings(snapshot, claims: false, scope.Now)));
            scope.Committed.Bindings(Apply(scope, BindingTable(AddressSource.Claim), SnapshotFacts.CapturedBindings(snapshot, claims: true, scope.Now)));
        }),
    ];
}
