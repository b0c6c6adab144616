using System.Data.Common;
using DaemonNet.Collector.Storage.Postgres;
using DaemonNet.Collector.Storage.Sqlite;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Where the inventory lives: a SQLite file (the default) or a PostgreSQL database that several
/// collectors share. The store's statements are written once for both; what differs lives in the
/// two subclasses: how connections open, the schema and its migrations, and housekeeping.
/// </summary>
public abstract class StoreDatabase : IDisposable
{
    /// <summary>A PostgreSQL URI (postgresql://…) or else the path of a SQLite file.</summary>
    public static StoreDatabase At(string address) =>
        PostgresAddress.IsOne(address) ? new PostgresDatabase(PostgresAddress.Parse(address)) : new SqliteDatabase(address);

    /// <summary>What the logs and errors call this database; never shows a password.</summary>
    public abstract string Name { get; }

    /// <summary>Opens the connection every write goes through, with the schema migrated to this collector's version.</summary>
    public abstract DbConnection OpenWriter();

    /// <summary>A connection for queries, beside the writer.</summary>
    public abstract ValueTask<DbConnection> OpenReaderAsync(CancellationToken cancellationToken);

    /// <summary>
    /// The statement with its <c>IN @List</c> parameters as this database reads a list that
    /// <see cref="InList"/> gave: SQLite a JSON array (<c>json_each</c>), PostgreSQL an array
    /// (<c>= ANY</c>). Either way a list is one parameter, so the statement's text is the same
    /// however long the list, and SQLite binds one value rather than one per item.
    /// </summary>
    public abstract string WithInLists(string statement);

    /// <summary>The value of an <c>IN @List</c> parameter, for a statement adapted by <see cref="WithInLists"/>.</summary>
    public abstract object InList<T>(IEnumerable<T> values);

    /// <summary>
    /// A statement that takes a host's stream (@Host) for this collector's writer session and
    /// returns whether it did, and the one that gives it up: null where one collector owns the
    /// database alone.
    /// </summary>
    public virtual (string Claim, string Release)? HostLease => null;

    /// <summary>
    /// A statement that keeps a snapshot's encoded changes (@At, @Events) for the other collectors
    /// of a shared database and announces them when its transaction commits: null where one
    /// collector owns the database alone.
    /// </summary>
    public virtual string? ChangeLog => null;

    /// <summary>
    /// A statement that, inside a transaction, waits until no other collector of a shared database
    /// holds the same key (@LockKey) in a transaction of its own: for read-then-write steps that
    /// two collectors must not interleave (an alert's dedup, summing traffic). Null where one
    /// collector owns the database alone, and its one writer connection orders them already.
    /// </summary>
    public virtual string? TransactionLock => null;

    /// <summary>
    /// Rows one INSERT writes (<see cref="MultiRowInsert"/>). A round trip to a server costs more
    /// than a row; SQLite, in the process, runs one prepared one-row statement fastest.
    /// </summary>
    public virtual int RowsPerInsert => 1;

    /// <summary>Gives the space of pruned rows back, after the prune committed.</summary>
    public abstract void ReclaimSpace(DbConnection writer);

    /// <summary>The database's size on disk in bytes.</summary>
    public abstract long SizeInBytes();

    /// <summary>The local folder whose file system holds the database, when it is a local file: its free space is watched.</summary>
    public abstract string? LocalFolder { get; }

    public virtual void Dispose()
    {
        GC.SuppressFinalize(this);
    }
}
