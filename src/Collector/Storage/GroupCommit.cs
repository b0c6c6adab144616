using System.Data.Common;
using System.Diagnostics;
using System.Threading.Channels;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Group commit for ingest. Snapshots and heartbeats that arrive while the writer is busy queue
/// here; the writer then applies every write that waited in one transaction, and tells each
/// caller only after that transaction committed: an acknowledgement still means stored. One
/// commit (one WAL append of each touched page, or one flush of PostgreSQL's log) serves many
/// hosts, which is what a busy collector spends most on. Should a write fail, the batch is rolled
/// back and its writes are applied again one by one, each in a transaction of its own, so that the
/// failing one fails alone: writes fail rarely, and a savepoint per write would cost every write
/// two more statements (two more round trips to PostgreSQL). A commit that fails fails every write
/// of its batch. Writes are applied in the order they were queued, so one host's reports keep
/// their order. Batches run on the writer's own thread (<see cref="StoreWriter.RunAsync"/>).
/// </summary>
internal sealed class GroupCommit : IDisposable
{
    /// <summary>A batch stops taking writes after this long, so that the first write in it is not kept waiting for many more.</summary>
    public static readonly TimeSpan MaxBatchTime = TimeSpan.FromMilliseconds(20);

    public const int MaxBatchWrites = 1_000;

    private readonly StoreWriter writer;
    private readonly Channel<QueuedWrite> queue = Channel.CreateUnbounded<QueuedWrite>(new UnboundedChannelOptions { SingleReader = true });
    private readonly Task loop;
    private readonly Action rolledBack;

    /// <param name="rolledBack">Told when a batch's transaction was rolled back (or never started), before any write is applied again.</param>
    public GroupCommit(StoreWriter writer, Action rolledBack)
    {
        this.writer = writer;
        this.rolledBack = rolledBack;
        loop = WriteBatchesAsync();
    }

    /// <param name="apply">
    /// Writes inside the batch's transaction; returns what to do once it committed (tell watchers,
    /// keep counters), if anything. It may run twice, the first time rolled back: whatever else it
    /// keeps outside the transaction is dropped when the batch is rolled back (<c>rolledBack</c>).
    /// </param>
    public Task WriteAsync(Func<DbTransaction, Action?> apply, CancellationToken cancellationToken)
    {
        var write = new QueuedWrite(apply, cancellationToken);
        ObjectDisposedException.ThrowIf(!queue.Writer.TryWrite(write), this);
        return write.Done.Task.WaitAsync(cancellationToken);
    }

    private async Task WriteBatchesAsync()
    {
        while (await queue.Reader.WaitToReadAsync())
        {
            await writer.RunAsync(WriteBatch, CancellationToken.None);
        }
    }

    /// <summary>One batch of what waits now, on the writer's thread.</summary>
    private bool WriteBatch()
    {
        var batch = TakeBatch();
        var (outcome, failure) = TryCommit(batch);
        if (outcome == Outcome.WriteFailed && batch.Count > 1)
        {
            // One of them failed: each again on its own, so that only that one fails.
            foreach (var write in batch)
            {
                if (TryCommit([write]) is (not Outcome.Committed, var alone))
                {
                    write.Done.TrySetException(alone!);
                }
            }
        }
        else if (outcome != Outcome.Committed)
        {
            Fail(batch, failure!);
            if (outcome == Outcome.NoTransaction)
            {
                // No transaction could start: the writes waiting now would wait for ever.
                Fail(Drain(), failure!);
            }
        }
        return outcome == Outcome.Committed;
    }

    private enum Outcome
    {
        Committed,
        WriteFailed,
        CommitFailed,
        NoTransaction,
    }

    /// <summary>The writes waiting now, in order, up to the batch's bounds; cancelled ones are told so and left out.</summary>
    private List<QueuedWrite> TakeBatch()
    {
        var batch = new List<QueuedWrite>();
        var started = Stopwatch.GetTimestamp();
        while (batch.Count < MaxBatchWrites && Stopwatch.GetElapsedTime(started) < MaxBatchTime && queue.Reader.TryRead(out var write))
        {
            if (write.Cancellation.IsCancellationRequested)
            {
                write.Done.TrySetCanceled(write.Cancellation);
            }
            else
            {
                batch.Add(write);
            }
        }
        return batch;
    }

    private IEnumerable<QueuedWrite> Drain()
    {
        while (queue.Reader.TryRead(out var waiting))
        {
            yield return waiting;
        }
    }

    /// <summary>
    /// Applies the writes in one transaction, commits it, and then tells each write. Unless it
    /// says committed, nothing of the batch is stored and no write was told.
    /// </summary>
    private (Outcome Outcome, Exception? Failure) TryCommit(IReadOnlyList<QueuedWrite> writes)
    {
        if (writes.Count == 0)
        {
            return (Outcome.Committed, null);
        }
        DbTransaction transaction;
        try
        {
            transaction = writer.Connection.BeginTransaction();
        }
        catch (Exception e)
        {
            Ended(null, e);
            return (Outcome.NoTransaction, e);
        }
        var afterCommit = new List<Action?>();
        try
        {
            foreach (var write in writes)
            {
                afterCommit.Add(write.Apply(transaction));
            }
        }
        catch (Exception e)
        {
            Ended(transaction, e);
            return (Outcome.WriteFailed, e);
        }
        try
        {
            transaction.Commit();
        }
        catch (Exception e)
        {
            Ended(transaction, e);
            return (Outcome.CommitFailed, e);
        }
        transaction.Dispose();
        for (var i = 0; i < writes.Count; i++)
        {
            try
            {
                afterCommit[i]?.Invoke();
                writes[i].Done.TrySetResult();
            }
            catch (Exception e)
            {
                writes[i].Done.TrySetException(e);
            }
        }
        return (Outcome.Committed, null);
    }

    /// <summary>Rolls back a transaction that failed; a database that already ended it (a full disk, a lost server) has nothing left to undo.</summary>
    private void Ended(DbTransaction? transaction, Exception cause)
    {
        try
        {
            transaction?.Dispose();
        }
        catch (DbException)
        {
        }
        catch (InvalidOperationException)
        {
        }
        rolledBack();
        if (writer.Connection.State != System.Data.ConnectionState.Open)
        {
            writer.Lose(cause);
        }
    }

    private static void Fail(IEnumerable<QueuedWrite> writes, Exception e)
    {
        foreach (var write in writes)
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
