using System.Data;
using System.Text.Json;
using DaemonNet.Collector.Traffic;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using Dapper;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// The inventory in one SQLite file (WAL). Owns every SQL statement. Writes go through one
/// connection, one transaction per snapshot; reads use pooled connections of their own, which WAL
/// lets run beside the writer.
/// </summary>
public sealed partial class SqliteInventoryStore : IInventoryStore, IDisposable
{
    private static readonly string[] FactTables = ["domains", "nics", "networks", "links", "bindings", "configured_interfaces"];

    private readonly string connectionString;
    private readonly SqliteConnection writer;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly IntervalRules rules;
    private readonly TrafficSampler sampler;

    public SqliteInventoryStore(string path, IntervalRules rules, TrafficResolution? traffic = null)
    {
        this.rules = rules;
        sampler = new TrafficSampler(traffic ?? TrafficResolution.Default);
        KeepPrivate(path);
        connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        writer = new SqliteConnection(connectionString);
        writer.Open();
        Schema.Migrate(writer);
        // WAL lets queries read while a snapshot is written; NORMAL sync keeps every committed
        // transaction across a process crash (only an OS crash can lose the last ones).
        writer.Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
    }

    private const UnixFileMode OwnerOnly = UnixFileMode.UserRead | UnixFileMode.UserWrite;

    /// <summary>
    /// The history says which member's VM had which address when: only the collector may read it.
    /// A new folder is made 0700 and the database 0600 before SQLite opens it; SQLite gives its
    /// -wal and -shm files the database's mode. Files a looser earlier version made are tightened.
    /// </summary>
    private static void KeepPrivate(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null && !Directory.Exists(directory))
        {
            Directory.CreateDirectory(directory, OwnerOnly | UnixFileMode.UserExecute);
        }
        if (!File.Exists(path))
        {
            using var _ = new FileStream(path, new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write, UnixCreateMode = OwnerOnly });
        }
        foreach (var file in new[] { path, path + "-wal", path + "-shm" }.Where(File.Exists))
        {
            if ((File.GetUnixFileMode(file) & ~OwnerOnly) != 0)
            {
                File.SetUnixFileMode(file, OwnerOnly);
            }
        }
    }

    public void Dispose()
    {
        writer.Dispose();
        writeLock.Dispose();
    }

    // ---- Ingest ----------------------------------------------------------------------------

    private const string SelectHostByName = """
        SELECT id AS Id, last_report AS LastReport, interval_ms AS IntervalMs FROM hosts WHERE name = @Name
        """;

    private const string UpsertHost = """
        INSERT INTO hosts (name, machine_id, agent_version, kernel, interval_ms, content_hash, errors, agent_time, first_report, last_report)
        VALUES (@Name, @MachineId, @AgentVersion, @Kernel, @IntervalMs, @ContentHash, @Errors, @AgentTime, @Now, @Now)
        ON CONFLICT (name) DO UPDATE SET
            machine_id = excluded.machine_id, agent_version = excluded.agent_version, kernel = excluded.kernel,
            interval_ms = excluded.interval_ms, content_hash = excluded.content_hash, errors = excluded.errors,
            agent_time = excluded.agent_time, last_report = excluded.last_report
        RETURNING id
        """;

    private const string InsertSilence = """
        INSERT INTO host_silences (host_id, valid_from, valid_to) VALUES (@HostId, @From, @To)
        """;

    public async Task<TimeSpan> ApplySnapshotAsync(HostSnapshot snapshot, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var failed = snapshot.Errors.Select(e => e.Source).ToHashSet();
        await writeLock.WaitAsync(cancellationToken);
        var held = System.Diagnostics.Stopwatch.StartNew();
        try
        {
            using var transaction = writer.BeginTransaction();
            var previous = writer.QuerySingleOrDefault<PreviousReport>(SelectHostByName, new { snapshot.Host.Name }, transaction);
            // A replayed observation is filed at its own time, but a host's history never runs backwards.
            var now = Math.Max(receivedAt.ToUnixTimeMilliseconds(), previous?.LastReport ?? long.MinValue);
            var hostId = writer.ExecuteScalar<long>(UpsertHost, new
            {
                snapshot.Host.Name,
                snapshot.Host.MachineId,
                snapshot.Host.AgentVersion,
                snapshot.Host.Kernel,
                IntervalMs = (long)(snapshot.Interval?.ToTimeSpan().TotalMilliseconds ?? 0),
                ContentHash = ContentHash.Of(snapshot),
                Errors = JsonSerializer.Serialize(snapshot.Errors.Select(e => new[] { e.Source, e.Message })),
                AgentTime = snapshot.AgentTime?.ToDateTimeOffset().ToUnixTimeMilliseconds(),
                Now = now,
            }, transaction);
            var scope = new Scope(writer, transaction, hostId, now, previous?.LastReport ?? now, rules.RejoinWindow.Ticks / TimeSpan.TicksPerMillisecond);
            if (previous is not null && now - previous.LastReport > rules.SilenceLimit(previous.IntervalMs).TotalMilliseconds)
            {
                EndSilence(scope, previous.LastReport);
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
            RecordCounters(scope, snapshot.Counters);
            transaction.Commit();
            CountersCommitted(scope);
            return held.Elapsed;
        }
        finally
        {
            writeLock.Release();
        }
    }

    /// <summary>
    /// The host was silent since its last report: what it said then is not stretched across the
    /// gap. Its open facts end at that report, and the gap itself is recorded.
    /// </summary>
    private static void EndSilence(Scope scope, long lastReport)
    {
        foreach (var table in FactTables)
        {
            var lastSeen = table == "bindings" ? ", last_seen = @LastReport" : "";
            scope.Connection.Execute($"UPDATE {table} SET valid_to = @LastReport{lastSeen} WHERE host_id = @HostId AND valid_to IS NULL",
                new { scope.HostId, LastReport = lastReport }, scope.Transaction);
        }
        scope.Connection.Execute(InsertSilence, new { scope.HostId, From = lastReport, To = scope.Now }, scope.Transaction);
    }

    // One statement: the silence limit is the same expression the queries use (HoldsAt).
    private static readonly string ConfirmHeartbeat = $"""
        UPDATE hosts SET last_report = max(last_report, @Now), agent_time = @AgentTime
        WHERE name = @HostName AND content_hash = @ContentHash
          AND @Now - last_report <= {IntervalRules.SilenceLimitSql("hosts")}
        RETURNING id
        """;

    public async Task<bool> ConfirmHeartbeatAsync(Heartbeat heartbeat, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            // After a silence a heartbeat cannot vouch for the gap: the agent is asked for a
            // snapshot, which ends the silence and opens new intervals.
            using var transaction = writer.BeginTransaction();
            var now = receivedAt.ToUnixTimeMilliseconds();
            var hostId = writer.ExecuteScalar<long?>(ConfirmHeartbeat, new
            {
                heartbeat.HostName,
                heartbeat.ContentHash,
                AgentTime = heartbeat.AgentTime?.ToDateTimeOffset().ToUnixTimeMilliseconds(),
                Now = now,
                SilentAfterMs = rules.SilentAfter is { } silentAfter ? (long?)silentAfter.TotalMilliseconds : null,
            }, transaction);
            if (hostId is { } id)
            {
                var scope = new Scope(writer, transaction, id, now, now, 0);
                RecordCounters(scope, heartbeat.Counters);
                transaction.Commit();
                CountersCommitted(scope);
            }
            else
            {
                transaction.Commit();
            }
            return hostId is not null;
        }
        finally
        {
            writeLock.Release();
        }
    }

    private sealed record PreviousReport(long Id, long LastReport, long IntervalMs);

    private sealed record Scope(SqliteConnection Connection, IDbTransaction Transaction, long HostId, long Now, long PreviousReport, long RejoinWindowMs)
    {
        /// <summary>The host's counter readings in this write, if it carried any.</summary>
        public List<CounterReading>? Readings { get; set; }

        /// <summary>Set when this write turned the host's counter readings into traffic rows.</summary>
        public bool CountersRecorded { get; set; }
    }

    /// <summary>
    /// How one fact table is read and written. <c>SelectOpen</c> returns the row id and then the
    /// fact's columns, the first of which is <c>FirstColumn</c> (where Dapper splits the row).
    /// <c>Rejoin</c>, where a table has one, finds a recently ended row the fact may continue.
    /// </summary>
    private sealed record FactTable<T>(string SelectOpen, string FirstColumn, string Insert, string Close, string? Update = null, string? Rejoin = null, long Source = 0);

    private static void Apply<T, TKey>(Scope scope, FactTable<T> table, IEnumerable<T> current, Func<T, TKey> key)
        where T : IEquatable<T>
        where TKey : notnull
    {
        var open = scope.Connection.Query<long, T, OpenFact<T>>(
            table.SelectOpen, (id, fact) => new OpenFact<T>(id, fact),
            new { scope.HostId, table.Source }, scope.Transaction, splitOn: table.FirstColumn);
        var changes = IntervalDiff.Compute(open, current, key);
        if (changes.Closed.Count > 0)
        {
            scope.Connection.Execute(table.Close, changes.Closed.Select(id => new { scope.Now, Id = id, LastSeen = scope.PreviousReport }), scope.Transaction);
        }
        // Statements run once per batch of rows, so SQLite prepares each of them once.
        var inserts = new List<DynamicParameters>();
        var updates = changes.Updated.Select(u => WithValues(u.Fact, ("Id", u.Id))).ToList();
        foreach (var fact in changes.Opened)
        {
            var parameters = WithValues(fact, ("HostId", scope.HostId), ("Now", scope.Now), ("WindowStart", scope.Now - scope.RejoinWindowMs));
            var rejoin = table.Rejoin is null ? null : scope.Connection.ExecuteScalar<long?>(table.Rejoin, parameters, scope.Transaction);
            if (rejoin is { } id)
            {
                parameters.Add("Id", id);
                updates.Add(parameters);
            }
            else
            {
                inserts.Add(parameters);
            }
        }
        if (inserts.Count > 0)
        {
            scope.Connection.Execute(table.Insert, inserts, scope.Transaction);
        }
        if (updates.Count > 0)
        {
            scope.Connection.Execute(table.Update!, updates, scope.Transaction);
        }
    }

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
        """
        SELECT id, uuid AS Uuid, name AS Name, state AS State, persistent AS Persistent
        FROM domains WHERE host_id = @HostId AND valid_to IS NULL
        """,
        "Uuid",
        """
        INSERT INTO domains (host_id, uuid, name, state, persistent, valid_from)
        VALUES (@HostId, @Uuid, @Name, @State, @Persistent, @Now)
        """,
        "UPDATE domains SET valid_to = @Now WHERE id = @Id");

    private static readonly FactTable<NicFact> NicTable = new(
        """
        SELECT id, domain_uuid AS DomainUuid, mac AS Mac, kind AS Kind, network AS Network, bridge AS Bridge, target_dev AS TargetDev
        FROM nics WHERE host_id = @HostId AND valid_to IS NULL
        """,
        "DomainUuid",
        """
        INSERT INTO nics (host_id, domain_uuid, mac, kind, network, bridge, target_dev, valid_from)
        VALUES (@HostId, @DomainUuid, @Mac, @Kind, @Network, @Bridge, @TargetDev, @Now)
        """,
        "UPDATE nics SET valid_to = @Now WHERE id = @Id");

    private static readonly FactTable<NetworkFact> NetworkTable = new(
        """
        SELECT id, name AS Name, uuid AS Uuid, bridge AS Bridge, forward_mode AS ForwardMode, active AS Active, addresses AS Addresses
        FROM networks WHERE host_id = @HostId AND valid_to IS NULL
        """,
        "Name",
        """
        INSERT INTO networks (host_id, name, uuid, bridge, forward_mode, active, addresses, valid_from)
        VALUES (@HostId, @Name, @Uuid, @Bridge, @ForwardMode, @Active, @Addresses, @Now)
        """,
        "UPDATE networks SET valid_to = @Now WHERE id = @Id");

    private static readonly FactTable<LinkFact> LinkTable = new(
        """
        SELECT id, name AS Name, kind AS Kind, mac AS Mac, master AS Master, operstate AS Operstate, mtu AS Mtu, addresses AS Addresses,
               tunnel_local AS TunnelLocal, tunnel_remote AS TunnelRemote, tunnel_ttl AS TunnelTtl
        FROM links WHERE host_id = @HostId AND valid_to IS NULL
        """,
        "Name",
        """
        INSERT INTO links (host_id, name, kind, mac, master, operstate, mtu, addresses, tunnel_local, tunnel_remote, tunnel_ttl, valid_from)
        VALUES (@HostId, @Name, @Kind, @Mac, @Master, @Operstate, @Mtu, @Addresses, @TunnelLocal, @TunnelRemote, @TunnelTtl, @Now)
        """,
        "UPDATE links SET valid_to = @Now WHERE id = @Id");

    private static readonly FactTable<ConfiguredFact> ConfiguredTable = new(
        """
        SELECT id, name AS Name, family AS Family, method AS Method, auto AS Auto, address AS Address, netmask AS Netmask,
               endpoint AS Endpoint, local AS Local, ttl AS Ttl, gateway AS Gateway, mode AS Mode, bridge_ports AS BridgePorts,
               file AS File, line AS Line
        FROM configured_interfaces WHERE host_id = @HostId AND valid_to IS NULL
        """,
        "Name",
        """
        INSERT INTO configured_interfaces (host_id, name, family, method, auto, address, netmask, endpoint, local, ttl, gateway, mode,
                                           bridge_ports, file, line, valid_from)
        VALUES (@HostId, @Name, @Family, @Method, @Auto, @Address, @Netmask, @Endpoint, @Local, @Ttl, @Gateway, @Mode,
                @BridgePorts, @File, @Line, @Now)
        """,
        "UPDATE configured_interfaces SET valid_to = @Now WHERE id = @Id");

    // A binding that ended within the rejoin window continues, unless the host fell silent since
    // (then new intervals start) or another MAC took the address meanwhile (then the old holder's
    // binding really ended). The unary "+" keeps SQLite off the host index, which would scan every
    // binding the host ended within the window for each new one: with 20,000 new bindings a
    // snapshot held the writer for 40 s and more with each write (bench largest).
    private static FactTable<BindingFact> BindingTable(AddressSource source) => new(
        """
        SELECT id, mac AS Mac, ip AS Ip, source AS Source, device AS Device, neighbour_state AS NeighbourState,
               hostname AS Hostname, client_id AS ClientId, lease_expiry AS LeaseExpiry
        FROM bindings WHERE host_id = @HostId AND source = @Source AND valid_to IS NULL
        """,
        "Mac",
        """
        INSERT INTO bindings (host_id, mac, ip, source, device, neighbour_state, hostname, client_id, lease_expiry, valid_from)
        VALUES (@HostId, @Mac, @Ip, @Source, @Device, @NeighbourState, @Hostname, @ClientId, @LeaseExpiry, @Now)
        """,
        "UPDATE bindings SET valid_to = @Now, last_seen = @LastSeen WHERE id = @Id",
        """
        UPDATE bindings SET neighbour_state = @NeighbourState, hostname = @Hostname, client_id = @ClientId,
               lease_expiry = @LeaseExpiry, valid_to = NULL, last_seen = NULL
        WHERE id = @Id
        """,
        """
        SELECT b.id FROM bindings b
        WHERE +b.host_id = @HostId AND b.mac = @Mac AND b.ip = @Ip AND +b.source = @Source AND b.device = @Device
          AND b.valid_to >= @WindowStart
          AND NOT EXISTS (SELECT 1 FROM host_silences s WHERE s.host_id = b.host_id AND s.valid_from >= b.valid_to)
          AND NOT EXISTS (SELECT 1 FROM bindings o WHERE o.host_id = b.host_id AND o.ip = b.ip AND o.mac <> b.mac AND o.valid_from >= b.valid_to)
        ORDER BY b.valid_to DESC LIMIT 1
        """,
        (long)source);

    /// <summary>
    /// Each agent source and the facts it states, table by table: the one place where a source's
    /// snapshot fields become interval rows. A new source adds its entry here (and its tables to
    /// <see cref="FactTables"/> and the schema).
    /// </summary>
    private static readonly (string Source, Action<Scope, HostSnapshot> Apply)[] FactsBySource =
    [
        (SourceNames.Libvirt, (scope, snapshot) =>
        {
            Apply(scope, DomainTable, SnapshotFacts.Domains(snapshot), f => f);
            Apply(scope, NicTable, SnapshotFacts.Nics(snapshot), f => f);
            Apply(scope, NetworkTable, SnapshotFacts.Networks(snapshot), f => f);
        }),
        (SourceNames.Kernel, (scope, snapshot) =>
        {
            Apply(scope, LinkTable, SnapshotFacts.Links(snapshot), f => f);
            Apply(scope, BindingTable(AddressSource.Neighbour), SnapshotFacts.NeighbourBindings(snapshot), f => f.Key);
        }),
        (SourceNames.Leases, (scope, snapshot) => Apply(scope, BindingTable(AddressSource.Lease), SnapshotFacts.LeaseBindings(snapshot), f => f.Key)),
        (SourceNames.Interfaces, (scope, snapshot) => Apply(scope, ConfiguredTable, SnapshotFacts.Configured(snapshot), f => f)),
    ];

    // ---- Retention -------------------------------------------------------------------------

    public async Task<long> PruneAsync(DateTimeOffset endedBefore, CancellationToken cancellationToken)
    {
        var before = endedBefore.ToUnixTimeMilliseconds();
        long removed = 0;
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            using (var transaction = writer.BeginTransaction())
            {
                foreach (var table in FactTables.Append("host_silences").Append("link_traffic"))
                {
                    removed += writer.Execute($"DELETE FROM {table} WHERE valid_to < @Before", new { Before = before }, transaction);
                }
                transaction.Commit();
            }
            // Give the freed pages back to the file system; the checkpoint first moves them out of the WAL.
            writer.Execute("PRAGMA wal_checkpoint(TRUNCATE)", commandType: CommandType.Text);
            writer.Execute("PRAGMA incremental_vacuum", commandType: CommandType.Text);
            writer.Execute("PRAGMA wal_checkpoint(TRUNCATE)", commandType: CommandType.Text);
        }
        finally
        {
            writeLock.Release();
        }
        return removed;
    }

    // ---- Queries ---------------------------------------------------------------------------

    // Every query answers "at @At": a row holds if it started by then and had not ended. An open
    // row of a host that has since fallen silent ended, as far as anyone knows, at the host's last
    // report; questions about now (@Current = 1) still show it, and the answer flags the host stale.
    private static string HoldsAt(string row) => $"""
        ({row}.valid_from <= @At AND ({row}.valid_to > @At OR ({row}.valid_to IS NULL AND (@Current = 1 OR @At < (
            SELECT CASE WHEN @Now - h.last_report > {IntervalRules.SilenceLimitSql("h")} THEN h.last_report ELSE @Now + 1 END
            FROM hosts h WHERE h.id = {row}.host_id)))))
        """;

    // Now, a fact holds while its row is open: the same as HoldsAt at @Now, in a form the indexes
    // (…, valid_to) answer directly.
    private static string HoldsNow(string row) => $"({row}.valid_to IS NULL)";

    /// <summary>The lookup statements, once for "now" and once for "as of an instant".</summary>
    private sealed record Lookups(Func<string, string> Holds)
    {
        public string ByName { get; } = DomainsByName(Holds);
        public string ByUuid { get; } = DomainsByUuid(Holds);
        public string ByMac { get; } = DomainsByMac(Holds);
        public string ByIp { get; } = DomainsByIp(Holds);
        public string OnHost { get; } = DomainsOnHost(Holds);
        public string MacsOfIp { get; } = SqliteInventoryStore.MacsOfIp(Holds);
        public string IpsOfMac { get; } = SqliteInventoryStore.IpsOfMac(Holds);
        public string NicsOfDomains { get; } = SqliteInventoryStore.NicsOfDomains(Holds);
        public string BindingsOfMacs { get; } = SqliteInventoryStore.BindingsOfMacs(Holds);
    }

    private static readonly Lookups Current = new(HoldsNow);
    private static readonly Lookups AsOf = new(HoldsAt);

    private static Lookups For(DateTimeOffset? at) => at is null ? Current : AsOf;

    // In the joins from NICs to their domains, "+d.host_id" keeps SQLite from reaching for the
    // host index (every VM of the host) when the uuid index finds the one domain: 1.7 → 0.12 ms
    // per address lookup at the median on the 30-day benchmark database (docs/BENCHMARKS.md).

    // An expired lease is no evidence, even while its row is still open (the agent has not yet
    // reported the file without it).
    private static string LeaseValidAt(string row, string instant = "@At") => $"({row}.lease_expiry IS NULL OR {row}.lease_expiry > {instant})";

    private static string Overlaps(string row) => $"({row}.valid_from < @Until AND ({row}.valid_to IS NULL OR {row}.valid_to > @Since))";

    private const string HostColumns = """
        h.id AS Id, h.name AS Name, h.machine_id AS MachineId, h.agent_version AS AgentVersion, h.kernel AS Kernel,
        h.interval_ms AS IntervalMs, h.content_hash AS ContentHash, h.errors AS Errors, h.agent_time AS AgentTime,
        h.first_report AS FirstReport, h.last_report AS LastReport
        """;

    private const string SelectHosts = $"""
        SELECT {HostColumns}, (SELECT count(*) FROM domains d WHERE d.host_id = h.id AND d.valid_to IS NULL) AS VmCount
        FROM hosts h
        """;

    // Answers about VMs need only their own hosts, and not their VM counts: counting for every
    // host of a large cluster would cost more than the answer itself.
    private const string HostsById = $"""
        SELECT {HostColumns} FROM hosts h WHERE h.id IN @Ids
        """;

    public async Task<IReadOnlyList<HostRecord>> ListHostsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        return (await connection.QueryAsync<HostRecord>(SelectHosts + " ORDER BY h.name")).AsList();
    }

    private const string CurrentVmNames = """
        SELECT DISTINCT name FROM domains WHERE valid_to IS NULL
        """;

    public async Task<IReadOnlyList<string>> CurrentVmNamesAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        return (await connection.QueryAsync<string>(CurrentVmNames)).AsList();
    }

    private const string DomainColumns = """
        d.id AS Id, d.host_id AS HostId, d.uuid AS Uuid, d.name AS Name, d.state AS State, d.persistent AS Persistent,
        d.valid_from AS ValidFrom, d.valid_to AS ValidTo
        """;

    private static string DomainsByName(Func<string, string> holds) => $"""
        SELECT {DomainColumns} FROM domains d WHERE d.name = @Value COLLATE NOCASE AND {holds("d")}
        """;

    private static string DomainsByUuid(Func<string, string> holds) => $"""
        SELECT {DomainColumns} FROM domains d WHERE d.uuid = @Value AND {holds("d")}
        """;

    private static string DomainsByMac(Func<string, string> holds) => $"""
        SELECT DISTINCT {DomainColumns}
        FROM nics n JOIN domains d ON +d.host_id = n.host_id AND d.uuid = n.domain_uuid AND {holds("d")}
        WHERE n.mac = @Value AND {holds("n")}
        """;

    private static string DomainsByIp(Func<string, string> holds) => $"""
        SELECT DISTINCT {DomainColumns}
        FROM bindings b
        JOIN nics n ON n.mac = b.mac AND {holds("n")}
        JOIN domains d ON +d.host_id = n.host_id AND d.uuid = n.domain_uuid AND {holds("d")}
        WHERE b.ip = @Value AND {holds("b")} AND {LeaseValidAt("b")}
        """;

    private static string DomainsOnHost(Func<string, string> holds) => $"""
        SELECT {DomainColumns} FROM domains d JOIN hosts h ON h.id = d.host_id
        WHERE {holds("d")} AND (@Host IS NULL OR h.name = @Host)
        """;

    private static string MacsOfIp(Func<string, string> holds) => $"""
        SELECT DISTINCT b.mac || ' (' || h.name || ')' FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE b.ip = @Value AND {holds("b")} AND {LeaseValidAt("b")}
        """;

    private static string IpsOfMac(Func<string, string> holds) => $"""
        SELECT DISTINCT b.ip FROM bindings b
        WHERE b.mac = @Value AND {holds("b")} AND {LeaseValidAt("b")}
        """;

    public async Task<WhereResult> WhereAsync(InventoryQuery query, DateTimeOffset now, DateTimeOffset? at, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        var parameters = When(now, at, new { query.Value });
        var sql = query.Kind switch
        {
            QueryKind.Name => For(at).ByName,
            QueryKind.Uuid => For(at).ByUuid,
            QueryKind.Mac => For(at).ByMac,
            _ => For(at).ByIp,
        };
        var domains = (await connection.QueryAsync<DomainRecord>(sql, parameters)).AsList();
        var vms = await DescribeAsync(connection, domains, now, at);
        // An address or MAC that no VM owns may still be bound: the answer says to what.
        IReadOnlyList<string> unowned = vms.Count > 0 ? [] : query.Kind switch
        {
            QueryKind.Ip => (await connection.QueryAsync<string>(For(at).MacsOfIp, parameters)).AsList(),
            QueryKind.Mac => (await connection.QueryAsync<string>(For(at).IpsOfMac, parameters)).AsList(),
            _ => [],
        };
        return new WhereResult(vms, unowned);
    }

    public async Task<IReadOnlyList<VmView>> ListVmsAsync(string? hostName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        var domains = (await connection.QueryAsync<DomainRecord>(Current.OnHost, When(now, null, new { Host = hostName }))).AsList();
        return await DescribeAsync(connection, domains, now, null);
    }

    private const string NicColumns = """
        n.host_id AS HostId, n.domain_uuid AS DomainUuid, n.mac AS Mac, n.kind AS Kind, n.network AS Network,
        n.bridge AS Bridge, n.target_dev AS TargetDev, n.valid_from AS ValidFrom, n.valid_to AS ValidTo
        """;

    private static string NicsOfDomains(Func<string, string> holds) => $"""
        SELECT {NicColumns}
        FROM nics n WHERE n.domain_uuid IN @Uuids AND {holds("n")}
        ORDER BY n.id
        """;

    private const string BindingColumns = """
        b.mac AS Mac, b.ip AS Ip, b.source AS Source, b.device AS Device, b.neighbour_state AS NeighbourState,
        b.hostname AS Hostname, b.client_id AS ClientId, b.lease_expiry AS LeaseExpiry, b.valid_from AS ValidFrom,
        b.valid_to AS ValidTo, b.last_seen AS LastSeen, b.host_id AS HostId, h.name AS ObservedOn, h.last_report AS ObserverLastReport
        """;

    // Bindings for a MAC come from every host: a forward-bridge VM is seen in the neighbour
    // tables of whichever hosts on its LAN talked to it.
    private static string BindingsOfMacs(Func<string, string> holds) => $"""
        SELECT {BindingColumns}
        FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE b.mac IN @Macs AND {holds("b")} AND {LeaseValidAt("b")}
        """;

    /// <summary>SQLite limits a statement's parameters; IN lists go in chunks well below that.</summary>
    private const int InListChunk = 500;

    private async Task<List<T>> QueryChunkedAsync<T>(SqliteConnection connection, string sql, IEnumerable<string> values, string name,
        DateTimeOffset now, DateTimeOffset? at)
    {
        var rows = new List<T>();
        foreach (var chunk in values.Distinct().Chunk(InListChunk))
        {
            var parameters = When(now, at, new { });
            parameters.Add(name, chunk);
            rows.AddRange(await connection.QueryAsync<T>(sql, parameters));
        }
        return rows;
    }

    private async Task<IReadOnlyList<VmView>> DescribeAsync(SqliteConnection connection, List<DomainRecord> domains, DateTimeOffset now, DateTimeOffset? at)
    {
        if (domains.Count == 0)
        {
            return [];
        }
        var hosts = (await connection.QueryAsync<HostRecord>(HostsById, new { Ids = domains.Select(d => d.HostId).Distinct() })).ToDictionary(h => h.Id);
        // One query per table for all the VMs, not one per VM and NIC: an address shared by many
        // VMs (private NAT ranges repeat on every host) would otherwise cost a round trip each.
        var nics = (await QueryChunkedAsync<NicSpan>(connection, For(at).NicsOfDomains, domains.Select(d => d.Uuid), "Uuids", now, at))
            .ToLookup(n => (n.HostId, n.DomainUuid));
        var bindings = (await QueryChunkedAsync<BindingRecord>(connection, For(at).BindingsOfMacs,
            nics.SelectMany(g => g).Select(n => n.Mac), "Macs", now, at)).ToLookup(b => b.Mac);
        var result = new List<VmView>(domains.Count);
        foreach (var domain in domains)
        {
            var views = nics[(domain.HostId, domain.Uuid)]
                .Select(n => new NicView(new NicFact(n.DomainUuid, n.Mac, n.Kind, n.Network, n.Bridge, n.TargetDev), AddressRanking.Order(bindings[n.Mac])))
                .ToList();
            result.Add(new VmView(hosts[domain.HostId], domain, views));
        }
        return result.OrderBy(v => v.Domain.Name, StringComparer.Ordinal).ThenBy(v => v.Host.Name, StringComparer.Ordinal).ToList();
    }

    // ---- History ---------------------------------------------------------------------------

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

    // ---- Plumbing --------------------------------------------------------------------------

    private DynamicParameters When(DateTimeOffset now, DateTimeOffset? at, object values)
    {
        var parameters = new DynamicParameters(values);
        parameters.Add("Now", now.ToUnixTimeMilliseconds());
        parameters.Add("At", (at ?? now).ToUnixTimeMilliseconds());
        parameters.Add("Current", at is null ? 1 : 0);
        parameters.Add("SilentAfterMs", rules.SilentAfter is { } silentAfter ? (long)silentAfter.TotalMilliseconds : null);
        return parameters;
    }

    private static DynamicParameters Merge(object first, object second)
    {
        var parameters = new DynamicParameters(first);
        parameters.AddDynamicParams(second);
        return parameters;
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
