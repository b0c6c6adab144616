using System.Data.Common;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// The one connection every write goes through, with its lock: SQLite allows one writer at a
/// time, and on PostgreSQL this connection's session holds the host claims. The ingest writer,
/// the alert store and retention share it. When it is gone for good (a PostgreSQL server that
/// restarted), <see cref="Lost"/> is cancelled: the claims went with it, so the collector stops
/// for its service manager to start it afresh.
/// </summary>
public sealed class StoreWriter : IDisposable
{
    private readonly CancellationTokenSource lost = new();

    public StoreWriter(StoreDatabase database)
    {
        Database = database;
        Connection = database.OpenWriter();
        Prepared = new PreparedCommands(Connection);
    }

    public StoreDatabase Database { get; }

    public DbConnection Connection { get; }

    /// <summary>Held for every use of <see cref="Connection"/>.</summary>
    public SemaphoreSlim Lock { get; } = new(1, 1);

    /// <summary>Statements prepared once on this connection and kept.</summary>
    internal PreparedCommands Prepared { get; }

    /// <summary>Cancelled when the connection is gone for good; <see cref="LostBecause"/> says why.</summary>
    public CancellationToken Lost => lost.Token;

    public Exception? LostBecause { get; private set; }

    internal void Lose(Exception e)
    {
        LostBecause ??= e;
        lost.Cancel();
    }

    /// <summary>Runs statements on the connection under its lock; notices a connection that is gone.</summary>
    public async Task<T> RunAsync<T>(Func<T> statements, CancellationToken cancellationToken)
    {
        await Lock.WaitAsync(cancellationToken);
        try
        {
            return statements();
        }
        catch (Exception e) when (Connection.State != System.Data.ConnectionState.Open)
        {
            Lose(e);
            throw;
        }
        finally
        {
            Lock.Release();
        }
    }

    /// <summary>Runs <paramref name="work"/> in a transaction of its own under the lock, and commits it unless it throws.</summary>
    public Task<T> InTransactionAsync<T>(Func<DbTransaction, T> work, CancellationToken cancellationToken) => RunAsync(() =>
    {
        using var transaction = Connection.BeginTransaction();
        var result = work(transaction);
        transaction.Commit();
        return result;
    }, cancellationToken);

    /// <summary>Inside a transaction: waits for another collector of a shared database that holds the same key (<see cref="StoreDatabase.TransactionLock"/>).</summary>
    public void Serialize(string key, DbTransaction transaction)
    {
        if (Database.TransactionLock is { } lockKey)
        {
            Connection.Execute(lockKey, new { LockKey = key }, transaction);
        }
    }

    public void Dispose()
    {
        Prepared.Dispose();
        Connection.Dispose();
        Lock.Dispose();
        lost.Dispose();
    }
}
