using System.Collections.Concurrent;
using System.Data.Common;
using DaemonNet.Collector.Traffic;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// The inventory, in SQLite or PostgreSQL (<see cref="StoreDatabase"/>). Owns every SQL statement,
/// one file per question: Ingest, Where, History, Traffic, ClusterState, Retention and Alerts; the
/// statements are the same for both databases. Writes go through one connection, ingest grouped
/// into shared transactions; reads use pooled connections of their own beside the writer.
/// </summary>
public sealed partial class InventoryStore : IInventoryStore, IDisposable
{
    private static readonly string[] FactTables = ["domains", "nics", "networks", "links", "bindings", "configured_interfaces"];

    private readonly StoreDatabase database;
    private readonly DbConnection writer;
    private readonly SemaphoreSlim writeLock = new(1, 1);
    private readonly GroupCommit groupCommit;
    private readonly PreparedCommands prepared;
    private readonly IntervalRules rules;
    private readonly TrafficSampler sampler;

    private readonly ICommitListener? listener;

    /// <summary>
    /// Each host's open rows as the writer left them (<see cref="OpenRows"/>), by host name. Only
    /// the writer changes them; a failed batch forgets them all, and a host whose stream this
    /// collector takes or gives up is forgotten, as another collector may write it meanwhile.
    /// </summary>
    private readonly ConcurrentDictionary<string, OpenRows> openRows = new(StringComparer.Ordinal);

    /// <param name="address">A SQLite file's path or a PostgreSQL URI (<see cref="StoreDatabase.At"/>).</param>
    /// <param name="listener">Told what each snapshot opened and closed: the change feed.</param>
    public InventoryStore(string address, IntervalRules rules, TrafficResolution? traffic = null, ICommitListener? listener = null)
    {
        this.rules = rules;
        this.listener = listener;
        sampler = new TrafficSampler(traffic ?? TrafficResolution.Default);
        database = StoreDatabase.At(address);
        try
        {
            writer = database.OpenWriter();
        }
        catch
        {
            database.Dispose();
            throw;
        }
        groupCommit = new GroupCommit(writer, writeLock, rolledBack: openRows.Clear, writerLost: Lose);
        prepared = new PreparedCommands(writer);
    }

    /// <summary>Where the inventory lives.</summary>
    public StoreDatabase Database => database;

    /// <summary>This store's name in the outbox rows it writes: which collector raises their alerts.</summary>
    private string Origin { get; } = Guid.NewGuid().ToString("N");

    private readonly CancellationTokenSource lost = new();

    /// <summary>
    /// Cancelled when the writer's connection is gone for good (a PostgreSQL server that restarted or
    /// became unreachable): its session's host claims went with it, so this store cannot write
    /// safely again. The collector exits on it, for its service manager to start it anew, and its
    /// agents move to another collector meanwhile. <see cref="LostBecause"/> says why.
    /// </summary>
    public CancellationToken WriterLost => lost.Token;

    public Exception? LostBecause { get; private set; }

    private void Lose(Exception e)
    {
        LostBecause ??= e;
        lost.Cancel();
    }

    public long SizeInBytes => database.SizeInBytes();

    public async Task<bool> ClaimHostAsync(string host, CancellationToken cancellationToken)
    {
        openRows.TryRemove(host, out _);
        return database.HostLease is not { } lease || await OnWriterAsync(() => writer.ExecuteScalar<bool>(lease.Claim, new { Host = host }), cancellationToken);
    }

    public async Task ReleaseHostAsync(string host, CancellationToken cancellationToken)
    {
        openRows.TryRemove(host, out _);
        if (database.HostLease is { } lease)
        {
            await OnWriterAsync(() => writer.ExecuteScalar<bool>(lease.Release, new { Host = host }), cancellationToken);
        }
    }

    /// <summary>Inside a writer transaction: waits for another collector of a shared database that holds the same key (<see cref="StoreDatabase.TransactionLock"/>).</summary>
    private void Serialize(string key, DbTransaction transaction)
    {
        if (database.TransactionLock is { } lockKey)
        {
            writer.Execute(lockKey, new { LockKey = key }, transaction);
        }
    }

    /// <summary>Runs one statement on the writer between batches (a host's lease is the writer session's); notices a writer that is gone.</summary>
    private async Task<T> OnWriterAsync<T>(Func<T> statement, CancellationToken cancellationToken)
    {
        await writeLock.WaitAsync(cancellationToken);
        try
        {
            return statement();
        }
        catch (Exception e) when (writer.State != System.Data.ConnectionState.Open)
        {
            Lose(e);
            throw;
        }
        finally
        {
            writeLock.Release();
        }
    }

    public Task ProbeWriteAsync(DateTimeOffset now, CancellationToken cancellationToken) =>
        OnWriterAsync(() => writer.Execute("INSERT INTO health_probe (id, at) VALUES (1, @At) ON CONFLICT (id) DO UPDATE SET at = excluded.at",
            new { At = now.ToUnixTimeMilliseconds() }), cancellationToken);

    public void Dispose()
    {
        groupCommit.Dispose();
        prepared.Dispose();
        writer.Dispose();
        database.Dispose();
        writeLock.Dispose();
        lost.Dispose();
    }

    // ---- Plumbing --------------------------------------------------------------------------

    private DynamicParameters When(DateTimeOffset now, DateTimeOffset? at, object values)
    {
        var parameters = new DynamicParameters(values);
        parameters.Add("Now", now.ToUnixTimeMilliseconds());
        parameters.Add("At", (at ?? now).ToUnixTimeMilliseconds());
        parameters.Add("Current", at is null ? 1 : 0);
        parameters.Add("SilentAfterMs", rules.SilentAfter is { } silentAfter ? (long)silentAfter.TotalMilliseconds : null);
        parameters.Add("ListeningSince", rules.ListeningSinceMs(now));
        return parameters;
    }

    private static DynamicParameters Merge(object first, object second)
    {
        var parameters = new DynamicParameters(first);
        parameters.AddDynamicParams(second);
        return parameters;
    }

    /// <summary>A statement with IN lists as this database takes them (<see cref="StoreDatabase.WithInLists"/>).</summary>
    private string Sql(string statement) => database.WithInLists(statement);

    /// <summary>The value of an IN list in a statement that <see cref="Sql"/> adapted.</summary>
    private object List<T>(IEnumerable<T> values) => database.InList(values);

    private ValueTask<DbConnection> OpenReaderAsync(CancellationToken cancellationToken) => database.OpenReaderAsync(cancellationToken);
}
