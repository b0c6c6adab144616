using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Group commit for ingest. Snapshots and heartbeats that arrive while the writer is busy queue
/// here; the writer then applies every write that waited in one transaction, each in a savepoint
/// of its own, and tells each caller only after that transaction committed: an acknowledgement
/// still means stored. One commit (one WAL append of each touched page) serves many hosts, which
/// is what a busy collector spends most on. A write that fails is rolled back to its savepoint and
/// fails alone; a commit that fails fails every write of its batch. Writes are applied in the
/// order they were queued, so one host's reports keep their order.
/// </summary>
internal sealed class GroupCommit : IDisposable
{
    /// <summary>A batch stops taking writes after this long, so that the first write in it is not kept waiting for many more.</summary>
    public static readonly TimeSpan MaxBatchTime = TimeSpan.FromMilliseconds(20);

    public const int MaxBatchWrites = 1_000;

    private readonly DbConnection writer;
    private readonly SemaphoreSlim writeLock;
    private readonly Channel<QueuedWrite> queue = Channel.CreateUnbounded<QueuedWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;
    private readonly Action<Exception> writerLost;

    /// <param name="writeLock">Held for each batch, as every other write to <paramref name="writer"/> holds it.</param>
    /// <param name="writerLost">Told when a batch failed because the writer's connection is gone (a PostgreSQL server that went away).</param>
    public GroupCommit(DbConnection writer, SemaphoreSlim writeLock, Action<Exception> writerLost)
    {
        this.writer = writer;
        this.writeLock = writeLock;
        this.writerLost = writerLost;
        loop = Task.Run(WriteBatchesAsync);
    }

    /// <param name="apply">Writes inside the batch's transaction; returns what to do once it committed (tell watchers, keep counters), if anything.</param>
    public Task WriteAsync(Func<DbTransaction, Action?> apply, CancellationToken cancellationToken)
    {
        var write = new QueuedWrite(apply, cancellationToken);
        if (!queue.Writer.TryWrite(write))
        {
            throw new ObjectDisposedException(nameof(GroupCommit));
        }
        return write.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteBatchesAsync()
    {
        while (await queue.Reader.WaitToReadAsync())
        {
            await writeLock.WaitAsync();
            var applied = new List<(QueuedWrite Write, Action? AfterCommit)>();
            DbTransaction? transaction = null;
            try
            {
                transaction = writer.BeginTransaction();
                WriteOneBatch(transaction, applied);
            }
            catch (Exception e)
            {
                FailAll(applied, e);
                if (writer.State != System.Data.ConnectionState.Open)
                {
                    writerLost(e);
                }
                if (transaction is null)
                {
                    // No transaction could start: the writes waiting now would wait for ever.
                    while (queue.Reader.TryRead(out var waiting))
                    {
                        waiting.Done.TrySetException(e);
                    }
                }
            }
            finally
            {
                if (transaction is not null)
                {
                    DisposeQuietly(transaction);
                }
                writeLock.Release();
            }
        }
    }

    private void WriteOneBatch(DbTransaction transaction, List<(QueuedWrite Write, Action? AfterCommit)> applied)
    {
        var started = Stopwatch.GetTimestamp();
        while (applied.Count < MaxBatchWrites && Stopwatch.GetElapsedTime(started) < MaxBatchTime && queue.Reader.TryRead(out var write))
        {
            if (write.Cancellation.IsCancellationRequested)
            {
                write.Done.TrySetCanceled(write.Cancellation);
                continue;
            }
            transaction.Save("write");
            try
            {
                applied.Add((write, write.Apply(transaction)));
                transaction.Release("write");
            }
            catch (Exception e)
            {
                write.Done.TrySetException(e);
                if (!TryRollBack(transaction))
                {
                    throw;
                }
            }
        }
        transaction.Commit();
        foreach (var (write, afterCommit) in applied)
        {
            try
            {
                afterCommit?.Invoke();
                write.Done.TrySetResult();
            }
            catch (Exception e)
            {
                write.Done.TrySetException(e);
            }
        }
    }

    /// <summary>Undoes the failed write alone; false when SQLite had already rolled back the whole transaction (a full disk, an I/O error).</summary>
    private static bool TryRollBack(DbTransaction transaction)
    {
        try
        {
            transaction.Rollback("write");
            transaction.Release("write");
            return true;
        }
        catch (DbException)
        {
            return false;
        }
    }

    /// <summary>Rolling back a transaction SQLite already ended fails; there is nothing left to undo then.</summary>
    private static void DisposeQuietly(DbTransaction transaction)
    {
        try
        {
            transaction.Dispose();
        }
        catch (DbException)
        {
        }
    }

    private static void FailAll(List<(QueuedWrite Write, Action? AfterCommit)> applied, Exception e)
    {
        foreach (var (write, _) in applied)
        {
            write.Done.TrySetException(e);
        }
    }

    public void Dispose()
    {
        queue.Writer.TryComplete();
        loop.GetAwaiter().GetResult();
    }

    private sealed record QueuedWrite(Func<DbTransaction, Action?> Apply, CancellationToken Cancellation)
    {
        public TaskCompletionSource Done { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
