using System.Data.Common;
using DaemonNet.Collector.Facts;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// What the readers share: the database's reader connections (beside the writer), the silence
/// rules, and the SQL that says whether a row holds at an instant. Every question answers "at
/// @At": a row holds if it started by then and had not ended. An open row of a host that has since
/// fallen silent ended, as far as anyone knows, at the host's last report; questions about now
/// (@Current = 1) still show it, and the answer flags the host stale.
/// </summary>
public sealed class StoreReading(StoreDatabase database, IntervalRules rules)
{
    public StoreDatabase Database => database;

    public IntervalRules Rules => rules;

    public ValueTask<DbConnection> OpenAsync(CancellationToken cancellationToken) => database.OpenReaderAsync(cancellationToken);

    /// <summary>The statement's parameters with the instants every question needs: @Now, @At, @Current, @SilentAfterMs, @ListeningSince.</summary>
    public DynamicParameters When(DateTimeOffset now, DateTimeOffset? at, object values)
    {
        var parameters = new DynamicParameters(values);
        parameters.Add("Now", now.ToUnixTimeMilliseconds());
        parameters.Add("At", (at ?? now).ToUnixTimeMilliseconds());
        parameters.Add("Current", at is null ? 1 : 0);
        parameters.Add("SilentAfterMs", rules.SilentAfter is { } silentAfter ? (long)silentAfter.TotalMilliseconds : null);
        parameters.Add("ListeningSince", rules.ListeningSinceMs(now));
        return parameters;
    }

    public static DynamicParameters Merge(object first, object second)
    {
        var parameters = new DynamicParameters(first);
        parameters.AddDynamicParams(second);
        return parameters;
    }

    /// <summary>A statement with IN lists as this database takes them (<see cref="StoreDatabase.WithInLists"/>).</summary>
    public string Sql(string statement) => database.WithInLists(statement);

    /// <summary>The value of an IN list in a statement that <see cref="Sql"/> adapted.</summary>
    public object List<T>(IEnumerable<T> values) => database.InList(values);

    public static string HoldsAt(string row) => $"""
        ({row}.valid_from <= @At AND ({row}.valid_to > @At OR ({row}.valid_to IS NULL AND (@Current = 1 OR @At < (
            SELECT CASE WHEN {IntervalRules.IsSilentSql("h")} THEN h.last_report ELSE @Now + 1 END
            FROM hosts h WHERE h.id = {row}.host_id)))))
        """;

    /// <summary>Now, a fact holds while its row is open: the same as <see cref="HoldsAt"/> at @Now, in a form the indexes (…, valid_to) answer directly.</summary>
    public static string HoldsNow(string row) => $"({row}.valid_to IS NULL)";

    /// <summary>An expired lease is no evidence, even while its row is still open (the agent has not yet reported without it).</summary>
    public static string LeaseValidAt(string row, string instant = "@At") => $"({row}.lease_expiry IS NULL OR {row}.lease_expiry > {instant})";

    public static string Overlaps(string row) => $"({row}.valid_from < @Until AND ({row}.valid_to IS NULL OR {row}.valid_to > @Since))";

    public static readonly string DomainColumns = FactCatalogue.Domains.RowColumns("d");

    public static readonly string NicColumns = FactCatalogue.Nics.RowColumns("n");

    public static readonly string LabelColumns = FactCatalogue.Labels.RowColumns("l");

    /// <summary>A binding's row with the host that observed it (joined as h).</summary>
    public static readonly string BindingColumns = FactCatalogue.Bindings.RowColumns("b") + ", h.name AS ObservedOn, h.last_report AS ObserverLastReport";

    public const string HostColumns = """
        h.id AS Id, h.name AS Name, h.machine_id AS MachineId, h.agent_version AS AgentVersion, h.kernel AS Kernel,
        h.interval_ms AS IntervalMs, h.content_hash AS ContentHash, h.errors AS Errors, h.agent_time AS AgentTime,
        h.first_report AS FirstReport, h.last_report AS LastReport, h.interfaces_configured AS InterfacesConfigured
        """;

    public const string SelectHosts = $"""
        SELECT {HostColumns}, (SELECT count(*) FROM domains d WHERE d.host_id = h.id AND d.valid_to IS NULL) AS VmCount
        FROM hosts h
        """;

    /// <summary>
    /// Answers about VMs need only their own hosts, and not their VM counts: counting for every host
    /// of a large cluster would cost more than the answer itself.
    /// </summary>
    public const string HostsById = $"""
        SELECT {HostColumns} FROM hosts h WHERE h.id IN @Ids
        """;
}
