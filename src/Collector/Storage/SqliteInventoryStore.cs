using System.Data;
using System.Text.Json;
using Dapper;
using DaemonNet.Protos.V1;
using Microsoft.Data.Sqlite;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// The inventory in one SQLite file (WAL). Owns every SQL statement. Writes go through one
/// connection, one transaction per snapshot; reads use pooled connections of their own, which WAL
/// lets run beside the writer.
/// </summary>
public sealed class SqliteInventoryStore : IInventoryStore, IDisposable
{
    private readonly string connectionString;
    private readonly SqliteConnection writer;
    private readonly SemaphoreSlim writeLock = new(1, 1);

    public SqliteInventoryStore(string path)
    {
        var directory = Path.GetDirectoryName(Path.GetFullPath(path));
        if (directory is not null)
        {
            Directory.CreateDirectory(directory);
        }
        connectionString = new SqliteConnectionStringBuilder { DataSource = path, Pooling = true }.ToString();
        writer = new SqliteConnection(connectionString);
        writer.Open();
        // WAL lets queries read while a snapshot is written; NORMAL sync keeps every committed
        // transaction across a process crash (only an OS crash can lose the last ones).
        writer.Execute("PRAGMA journal_mode = WAL; PRAGMA synchronous = NORMAL;");
        Schema.Migrate(writer);
    }

    public void Dispose()
    {
        writer.Dispose();
        writeLock.Dispose();
    }

    // ---- Ingest ----------------------------------------------------------------------------

    private const string UpsertHost = """
        INSERT INTO hosts (name, machine_id, agent_version, kernel, interval_ms, content_hash, errors, agent_time, first_report, last_report)
        VALUES (@Name, @MachineId, @AgentVersion, @Kernel, @IntervalMs, @ContentHash, @Errors, @AgentTime, @Now, @Now)
        ON CONFLICT (name) DO UPDATE SET
            machine_id = excluded.machine_id, agent_version = excluded.agent_version, kernel = excluded.kernel,
            interval_ms = excluded.interval_ms, content_hash = excluded.content_hash, errors = excluded.errors,
            agent_time = excluded.agent_time, last_report = excluded.last_report
        RETURNING id
        """;

    public async Task ApplySnapshotAsync(HostSnapshot snapshot, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        var now = receivedAt.ToUnixTimeMilliseconds();
        var failed = snapshot.Errors.Select(e => e.Source).ToHashSet();
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            using var transaction = writer.BeginTransaction();
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

            // A source that failed says nothing about its facts: they stay as they were rather
            // than being closed as if they had vanished.
            var scope = new Scope(writer, transaction, hostId, now);
            if (!failed.Contains("libvirt"))
            {
                Apply(scope, DomainTable, SnapshotFacts.Domains(snapshot), f => f);
                Apply(scope, NicTable, SnapshotFacts.Nics(snapshot), f => f);
                Apply(scope, NetworkTable, SnapshotFacts.Networks(snapshot), f => f);
            }
            if (!failed.Contains("kernel"))
            {
                Apply(scope, LinkTable, SnapshotFacts.Links(snapshot), f => f);
                Apply(scope, BindingTable(AddressSource.Neighbour), SnapshotFacts.NeighbourBindings(snapshot), f => f.Key);
            }
            if (!failed.Contains("leases"))
            {
                Apply(scope, BindingTable(AddressSource.Lease), SnapshotFacts.LeaseBindings(snapshot), f => f.Key);
            }
            transaction.Commit();
        }
        finally
        {
            writeLock.Release();
        }
    }

    private const string ConfirmHeartbeat = """
        UPDATE hosts SET last_report = @Now, agent_time = @AgentTime
        WHERE name = @HostName AND content_hash = @ContentHash
        """;

    public async Task<bool> ConfirmHeartbeatAsync(Heartbeat heartbeat, DateTimeOffset receivedAt, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            return writer.Execute(ConfirmHeartbeat, new
            {
                heartbeat.HostName,
                heartbeat.ContentHash,
                AgentTime = heartbeat.AgentTime?.ToDateTimeOffset().ToUnixTimeMilliseconds(),
                Now = receivedAt.ToUnixTimeMilliseconds(),
            }) == 1;
        }
        finally
        {
            writeLock.Release();
        }
    }

    private sealed record Scope(SqliteConnection Connection, IDbTransaction Transaction, long HostId, long Now);

    /// <summary>
    /// How one fact table is read and written. <c>SelectOpen</c> returns the row id and then the
    /// fact's columns, the first of which is <c>FirstColumn</c> (where Dapper splits the row).
    /// </summary>
    private sealed record FactTable<T>(string SelectOpen, string FirstColumn, string Insert, string? Update, long Source = 0);

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
            var closeSql = $"UPDATE {TableName(table)} SET valid_to = @Now WHERE id = @Id";
            scope.Connection.Execute(closeSql, changes.Closed.Select(id => new { scope.Now, Id = id }), scope.Transaction);
        }
        foreach (var fact in changes.Opened)
        {
            var parameters = new DynamicParameters(fact);
            parameters.Add("HostId", scope.HostId);
            parameters.Add("Now", scope.Now);
            scope.Connection.Execute(table.Insert, parameters, scope.Transaction);
        }
        foreach (var updated in changes.Updated)
        {
            var parameters = new DynamicParameters(updated.Fact);
            parameters.Add("Id", updated.Id);
            scope.Connection.Execute(table.Update!, parameters, scope.Transaction);
        }
    }

    // The table name is the word after INSERT INTO; taken from the statement so it is written once.
    private static string TableName<T>(FactTable<T> table) => table.Insert.Split(' ', 4)[2];

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
        Update: null);

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
        Update: null);

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
        Update: null);

    private static readonly FactTable<LinkFact> LinkTable = new(
        """
        SELECT id, name AS Name, kind AS Kind, mac AS Mac, master AS Master, operstate AS Operstate, mtu AS Mtu, addresses AS Addresses
        FROM links WHERE host_id = @HostId AND valid_to IS NULL
        """,
        "Name",
        """
        INSERT INTO links (host_id, name, kind, mac, master, operstate, mtu, addresses, valid_from)
        VALUES (@HostId, @Name, @Kind, @Mac, @Master, @Operstate, @Mtu, @Addresses, @Now)
        """,
        Update: null);

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
        """
        UPDATE bindings SET neighbour_state = @NeighbourState, hostname = @Hostname, client_id = @ClientId, lease_expiry = @LeaseExpiry
        WHERE id = @Id
        """,
        (long)source);

    // ---- Queries ---------------------------------------------------------------------------

    private const string SelectHosts = """
        SELECT h.id AS Id, h.name AS Name, h.machine_id AS MachineId, h.agent_version AS AgentVersion, h.kernel AS Kernel,
               h.interval_ms AS IntervalMs, h.content_hash AS ContentHash, h.errors AS Errors, h.agent_time AS AgentTime,
               h.first_report AS FirstReport, h.last_report AS LastReport,
               (SELECT count(*) FROM domains d WHERE d.host_id = h.id AND d.valid_to IS NULL) AS VmCount
        FROM hosts h
        """;

    public async Task<IReadOnlyList<HostRecord>> ListHostsAsync(CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        return (await connection.QueryAsync<HostRecord>(SelectHosts + " ORDER BY h.name")).AsList();
    }

    private const string DomainColumns = """
        d.id AS Id, d.host_id AS HostId, d.uuid AS Uuid, d.name AS Name, d.state AS State, d.persistent AS Persistent, d.valid_from AS ValidFrom
        """;

    private const string DomainsByName = $"""
        SELECT {DomainColumns} FROM domains d WHERE d.name = @Value COLLATE NOCASE AND d.valid_to IS NULL
        """;

    private const string DomainsByUuid = $"""
        SELECT {DomainColumns} FROM domains d WHERE d.uuid = @Value AND d.valid_to IS NULL
        """;

    private const string DomainsByMac = $"""
        SELECT DISTINCT {DomainColumns}
        FROM nics n JOIN domains d ON d.host_id = n.host_id AND d.uuid = n.domain_uuid AND d.valid_to IS NULL
        WHERE n.mac = @Value AND n.valid_to IS NULL
        """;

    // An expired lease is no evidence, even while the row is still open (the agent has not yet
    // reported the file without it).
    private const string DomainsByIp = $"""
        SELECT DISTINCT {DomainColumns}
        FROM bindings b
        JOIN nics n ON n.mac = b.mac AND n.valid_to IS NULL
        JOIN domains d ON d.host_id = n.host_id AND d.uuid = n.domain_uuid AND d.valid_to IS NULL
        WHERE b.ip = @Value AND b.valid_to IS NULL AND (b.lease_expiry IS NULL OR b.lease_expiry > @Now)
        """;

    private const string DomainsOnHost = $"""
        SELECT {DomainColumns} FROM domains d JOIN hosts h ON h.id = d.host_id
        WHERE d.valid_to IS NULL AND (@Host IS NULL OR h.name = @Host)
        ORDER BY d.name, h.name
        """;

    private const string MacsOfIp = """
        SELECT DISTINCT b.mac || ' (' || h.name || ')' FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE b.ip = @Value AND b.valid_to IS NULL AND (b.lease_expiry IS NULL OR b.lease_expiry > @Now)
        """;

    private const string IpsOfMac = """
        SELECT DISTINCT b.ip FROM bindings b
        WHERE b.mac = @Value AND b.valid_to IS NULL AND (b.lease_expiry IS NULL OR b.lease_expiry > @Now)
        """;

    public async Task<WhereResult> WhereAsync(InventoryQuery query, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        var parameters = new { query.Value, Now = now.ToUnixTimeMilliseconds() };
        var sql = query.Kind switch
        {
            QueryKind.Name => DomainsByName,
            QueryKind.Uuid => DomainsByUuid,
            QueryKind.Mac => DomainsByMac,
            _ => DomainsByIp,
        };
        var domains = (await connection.QueryAsync<DomainRecord>(sql, parameters)).AsList();
        var vms = await DescribeAsync(connection, domains, now);
        string? note = null;
        if (vms.Count == 0 && query.Kind == QueryKind.Ip)
        {
            var macs = (await connection.QueryAsync<string>(MacsOfIp, parameters)).AsList();
            if (macs.Count > 0)
            {
                note = $"{query.Value} is bound to {string.Join(", ", macs)}, but no VM has that MAC";
            }
        }
        else if (vms.Count == 0 && query.Kind == QueryKind.Mac)
        {
            var ips = (await connection.QueryAsync<string>(IpsOfMac, parameters)).AsList();
            if (ips.Count > 0)
            {
                note = $"{query.Value} has {string.Join(", ", ips)}, but no VM has that MAC";
            }
        }
        return new WhereResult(vms, note);
    }

    public async Task<IReadOnlyList<VmView>> ListVmsAsync(string? hostName, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var connection = await OpenReaderAsync(cancellationToken);
        var domains = (await connection.QueryAsync<DomainRecord>(DomainsOnHost, new { Host = hostName })).AsList();
        return await DescribeAsync(connection, domains, now);
    }

    private const string NicsOfDomain = """
        SELECT domain_uuid AS DomainUuid, mac AS Mac, kind AS Kind, network AS Network, bridge AS Bridge, target_dev AS TargetDev
        FROM nics WHERE host_id = @HostId AND domain_uuid = @Uuid AND valid_to IS NULL
        ORDER BY id
        """;

    // Bindings for a MAC come from every host: a forward-bridge VM is seen in the neighbour
    // tables of whichever hosts on its LAN talked to it.
    private const string BindingsOfMac = """
        SELECT b.mac AS Mac, b.ip AS Ip, b.source AS Source, b.device AS Device, b.neighbour_state AS NeighbourState,
               b.hostname AS Hostname, b.client_id AS ClientId, b.lease_expiry AS LeaseExpiry, b.valid_from AS ValidFrom,
               h.name AS ObservedOn, h.last_report AS ObserverLastReport
        FROM bindings b JOIN hosts h ON h.id = b.host_id
        WHERE b.mac = @Mac AND b.valid_to IS NULL AND (b.lease_expiry IS NULL OR b.lease_expiry > @Now)
        """;

    private async Task<IReadOnlyList<VmView>> DescribeAsync(SqliteConnection connection, List<DomainRecord> domains, DateTimeOffset now)
    {
        if (domains.Count == 0)
        {
            return [];
        }
        var hosts = (await connection.QueryAsync<HostRecord>(SelectHosts)).ToDictionary(h => h.Id);
        var result = new List<VmView>(domains.Count);
        foreach (var domain in domains)
        {
            var nics = new List<NicView>();
            foreach (var nic in await connection.QueryAsync<NicFact>(NicsOfDomain, new { domain.HostId, domain.Uuid }))
            {
                var bindings = await connection.QueryAsync<BindingRecord>(BindingsOfMac, new { nic.Mac, Now = now.ToUnixTimeMilliseconds() });
                nics.Add(new NicView(nic, AddressRanking.Order(bindings)));
            }
            result.Add(new VmView(hosts[domain.HostId], domain, nics));
        }
        return result.OrderBy(v => v.Domain.Name, StringComparer.Ordinal).ThenBy(v => v.Host.Name, StringComparer.Ordinal).ToList();
    }

    private async Task<SqliteConnection> OpenReaderAsync(CancellationToken cancellationToken)
    {
        var connection = new SqliteConnection(connectionString);
        await connection.OpenAsync(cancellationToken);
        return connection;
    }
}
