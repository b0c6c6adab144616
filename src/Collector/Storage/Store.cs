using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Traffic;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// The inventory, in a SQLite file or a PostgreSQL database that several collectors share
/// (<see cref="StoreDatabase"/>), split by role: the ingest writer, the readers by question, the
/// alert store and retention, each behind its own interface. Writes go through one connection
/// (<see cref="StoreWriter"/>); reads use pooled connections of their own beside it.
/// </summary>
public sealed class Store : IDisposable
{
    /// <param name="address">A SQLite file's path or a PostgreSQL URI (<see cref="StoreDatabase.At"/>).</param>
    /// <param name="listener">Told what each report opened and closed: the change feed.</param>
    public Store(string address, IntervalRules rules, TrafficResolution? traffic = null, ICommitListener? listener = null)
    {
        Database = StoreDatabase.At(address);
        try
        {
            Writer = new StoreWriter(Database);
        }
        catch
        {
            Database.Dispose();
            throw;
        }
        var reading = new StoreReading(Database, rules);
        Ingest = new IngestWriter(Writer, rules, traffic ?? TrafficResolution.Default, Guid.NewGuid().ToString("N"), listener);
        Where = new WhereReader(reading);
        History = new HistoryReader(reading);
        State = new StateReader(reading);
        Alerts = new AlertStore(Writer, reading, Ingest.Origin);
        Retention = new RetentionStore(Writer);
        Access = new AccessLogStore(Writer, reading);
    }

    public StoreDatabase Database { get; }

    public StoreWriter Writer { get; }

    public IngestWriter Ingest { get; }

    public IWhereReader Where { get; }

    public IHistoryReader History { get; }

    public IStateReader State { get; }

    public IAlertStore Alerts { get; }

    public IRetentionStore Retention { get; }

    public IAccessLogStore Access { get; }

    public void Dispose()
    {
        Ingest.Dispose();
        Writer.Dispose();
        Database.Dispose();
    }
}
