using System.Collections.Concurrent;
using System.Data.Common;
using System.Text.RegularExpressions;
using DaemonNet.Protos.Formats;
using Dapper;
using Npgsql;

namespace DaemonNet.Collector.Storage.Postgres;

/// <summary>
/// The inventory in a PostgreSQL database, which several collectors can share: one writer
/// connection of this collector's, and pooled readers. The server's own files, space and backups
/// are its administrator's: the collector neither sees nor manages them.
/// </summary>
public sealed partial class PostgresDatabase : StoreDatabase
{
    private readonly NpgsqlDataSource dataSource;

    /// <summary>
    /// The writer's connection is not pooled: its session holds the host claims, and closing it
    /// must end the session, not park it in the pool with its locks.
    /// </summary>
    private readonly NpgsqlDataSource writerSource;

    public PostgresDatabase(NpgsqlConnectionStringBuilder settings)
    {
        Name = $"the PostgreSQL database {settings.Database ?? "(the user's)"} on {settings.Host ?? "the local socket"}" +
               (settings.Port == NpgsqlConnection.DefaultPort ? "" : $" port {settings.Port}");
        // The store runs the same few dozen statements over and over: prepared once per connection,
        // PostgreSQL neither parses nor plans them again.
        settings.MaxAutoPrepare = 100;
        settings.AutoPrepareMinUsages = 2;
        dataSource = NpgsqlDataSource.Create(settings);
        writerSource = NpgsqlDataSource.Create(new NpgsqlConnectionStringBuilder(settings.ConnectionString) { Pooling = false });
    }

    public override string Name { get; }

    public override string? LocalFolder => null;

    /// <summary>
    /// A session-level advisory lock of the writer connection per host name: it is held while the
    /// host's stream lasts, and PostgreSQL releases it by itself when the connection ends, so a
    /// collector that dies frees its hosts at once. (Two names with one hash share a lock: their
    /// hosts then stream through one collector, which is all the lock asks.)
    /// </summary>
    public override (string Claim, string Release)? HostLease { get; } = (
        $"SELECT pg_try_advisory_lock({HostLeaseClass}, hashtext(@Host))",
        $"SELECT pg_advisory_unlock({HostLeaseClass}, hashtext(@Host))");

    /// <summary>The advisory locks' first key for host leases, apart from the others (migration).</summary>
    private const int HostLeaseClass = 0x444e;

    public override string TransactionLock { get; } = $"SELECT pg_advisory_xact_lock({TransactionLockClass}, hashtext(@LockKey))";

    private const int TransactionLockClass = 0x444f;

    public override int RowsPerInsert => 100;

    private readonly ConcurrentDictionary<string, string> adapted = new(StringComparer.Ordinal);

    public override string WithInLists(string statement) =>
        adapted.GetOrAdd(statement, s => InListParameter().Replace(s, "= ANY(@${name})"));

    public override object InList<T>(IEnumerable<T> values) => values.ToArray();

    [GeneratedRegex(@"\bIN @(?<name>\w+)", RegexOptions.None, RegexTimeout.Milliseconds)]
    private static partial Regex InListParameter();

    public override DbConnection OpenWriter()
    {
        var writer = writerSource.OpenConnection();
        try
        {
            PostgresSchema.Migrate(writer);
            WriterProcessId = writer.ProcessID;
            return writer;
        }
        catch
        {
            writer.Dispose();
            throw;
        }
    }

    /// <summary>The server process of this collector's writer connection: the origin of what it commits.</summary>
    public int WriterProcessId { get; private set; }

    private const string ChangesChannel = "daemonnet_changes";

    public override string ChangeLog { get; } = $"""
        WITH logged AS (INSERT INTO change_log (origin, at, events) VALUES (pg_backend_pid(), @At, @Events) RETURNING id)
        SELECT pg_notify('{ChangesChannel}', id::text) FROM logged
        """;

    /// <summary>How long the change log keeps a row: a listener that reconnects within it catches up.</summary>
    private static readonly TimeSpan ChangeLogKeeps = TimeSpan.FromMinutes(10);

    /// <summary>
    /// Hands <paramref name="deliver"/> what the other collectors of this database commit, as they
    /// commit it: each NOTIFY names a change-log row, read at once. A listener that lost its
    /// connection reconnects and first reads what the others logged after the last row it read.
    /// (Rows are numbered as they are written, not as they commit: one that committed late across
    /// a reconnect is missed.) Old rows of the log are deleted on the way. Blocks until cancelled:
    /// run it on a thread of its own.
    /// </summary>
    public void ListenForChanges(Action<byte[]> deliver, Action<Exception> lost, CancellationToken cancellationToken)
    {
        long? lastRead = null;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                using var connection = dataSource.OpenConnection();
                var announced = new List<long>();
                connection.Notification += (_, e) =>
                {
                    if (e.PID != WriterProcessId && long.TryParse(e.Payload, System.Globalization.CultureInfo.InvariantCulture, out var id))
                    {
                        announced.Add(id);
                    }
                };
                connection.Execute($"LISTEN {ChangesChannel}");
                lastRead ??= connection.ExecuteScalar<long?>("SELECT max(id) FROM change_log") ?? 0;
                Read(connection, "id > @LastRead AND origin <> @Own", new { LastRead = lastRead, Own = WriterProcessId });
                var cleaned = DateTimeOffset.MinValue;
                while (!cancellationToken.IsCancellationRequested)
                {
                    if (DateTimeOffset.UtcNow - cleaned > TimeSpan.FromMinutes(1))
                    {
                        connection.Execute("DELETE FROM change_log WHERE at < @Before",
                            new { Before = DateTimeOffset.UtcNow.Add(-ChangeLogKeeps).ToUnixTimeMilliseconds() });
                        cleaned = DateTimeOffset.UtcNow;
                    }
                    // A notification may also arrive while a statement runs: what came is read before waiting again.
                    if (announced.Count == 0)
                    {
                        connection.Wait(TimeSpan.FromSeconds(1));
                    }
                    if (announced.Count > 0)
                    {
                        var ids = announced.ToArray();
                        announced.Clear();
                        Read(connection, "id = ANY(@Ids)", new { Ids = ids });
                    }
                }
            }
            catch (Exception e) when (e is NpgsqlException or InvalidOperationException && !cancellationToken.IsCancellationRequested)
            {
                lost(e);
                cancellationToken.WaitHandle.WaitOne(TimeSpan.FromSeconds(1));
            }
        }

        void Read(NpgsqlConnection connection, string which, object parameters)
        {
            foreach (var (id, events) in connection.Query<(long, byte[])>($"SELECT id, events FROM change_log WHERE {which} ORDER BY id", parameters))
            {
                lastRead = Math.Max(lastRead ?? 0, id);
                deliver(events);
            }
        }
    }

    public override async ValueTask<DbConnection> OpenReaderAsync(CancellationToken cancellationToken) =>
        await dataSource.OpenConnectionAsync(cancellationToken);

    /// <summary>
    /// Nothing to do: autovacuum makes the space of deleted rows reusable. Handing it back to the
    /// file system would take VACUUM FULL, which locks each table while it runs.
    /// </summary>
    public override void ReclaimSpace(DbConnection writer)
    {
    }

    public override long SizeInBytes()
    {
        using var connection = dataSource.OpenConnection();
        return connection.ExecuteScalar<long>("SELECT pg_database_size(current_database())");
    }

    public override void Dispose()
    {
        dataSource.Dispose();
        writerSource.Dispose();
        base.Dispose();
    }
}
