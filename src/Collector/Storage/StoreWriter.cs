using System.Collections.Concurrent;
using System.Data.Common;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// The one connection every write goes through, and the one thread that uses it: SQLite allows one
/// writer at a time, and on PostgreSQL this connection's session holds the host claims. The ingest
/// writer (its group commit), the alert store and retention hand their statements to this thread
/// and await them, so that no thread of the pool ever waits on the database for a write. When the
/// connection is gone for good (a PostgreSQL server that restarted), <see cref="Lost"/> is
/// cancelled: the claims went with it, so the collector stops for its service manager to start it
/// afresh.
/// </summary>
public sealed class StoreWriter : IDisposable
{
    private readonly CancellationTokenSource lost = new();
    private readonly BlockingCollection<Action> work = [];
    private readonly Thread thread;

    public StoreWriter(StoreDatabase database)
    {
        Database = database;
        Connection = database.OpenWriter();
        Prepared = new PreparedCommands(Connection);
        thread = new Thread(Work) { IsBackground = true, Name = "store writer" };
        thread.Start();
    }

    public StoreDatabase Database { get; }

    /// <summary>Used only by statements that run on the writer's thread (<see cref="RunAsync"/>).</summary>
    public DbConnection Connection { get; }

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

    /// <summary>
    /// Runs statements on the writer's thread, after those handed over before them; notices a
    /// connection that is gone. Statements whose caller gave up before their turn do not run.
    /// </summary>
    public Task<T> RunAsync<T>(Func<T> statements, CancellationToken cancellationToken)
    {
        var done = new TaskCompletionSource<T>(TaskCreationOptions.RunContinuationsAsynchronously);
        void Run()
        {
            if (cancellationToken.IsCancellationRequested)
            {
                done.TrySetCanceled(cancellationToken);
                return;
            }
            try
            {
                done.TrySetResult(statements());
            }
            catch (Exception e)
            {
                if (Connection.State != System.Data.ConnectionState.Open)
                {
                    Lose(e);
                }
                done.TrySetException(e);
            }
        }
        ObjectDisposedException.ThrowIf(!work.TryAdd(Run), this);
        return done.Task.WaitAsync(cancellationToken);
    }

    /// <summary>Runs <paramref name="work"/> in a transaction of its own on the writer's thread, and commits it unless it throws.</summary>
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

    private void Work()
    {
        foreach (var statements in work.GetConsumingEnumerable())
        {
            statements();
        }
    }

    /// <summary>Lets the statements already handed over finish, then closes the connection.</summary>
    public void Dispose()
    {
        work.CompleteAdding();
        thread.Join();
        Prepared.Dispose();
        Connection.Dispose();
        work.Dispose();
        lost.Dispose();
    }
}
