using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>The access_log table: appended in batches on the writer's thread, read by 'daemonnet-collector access-log'.</summary>
public sealed class AccessLogStore(StoreWriter writer, StoreReading reading) : IAccessLogStore
{
    public Task AppendAsync(IReadOnlyList<AccessRecord> records, CancellationToken cancellationToken) =>
        writer.InTransactionAsync(transaction => writer.Connection.Execute(
            """
            INSERT INTO access_log (at, caller, method, query, answers, status, duration_ms)
            VALUES (@At, @Caller, @Method, @Query, @Answers, @Status, @Milliseconds)
            """, records, transaction), cancellationToken);

    public async Task<IReadOnlyList<AccessRecord>> ReadAsync(DateTimeOffset since, string who, int limit, CancellationToken cancellationToken)
    {
        await using var connection = await reading.OpenAsync(cancellationToken);
        return (await connection.QueryAsync<AccessRecord>(new CommandDefinition(
            """
            SELECT at AS At, caller AS Caller, method AS Method, query AS Query, answers AS Answers, status AS Status, duration_ms AS Milliseconds
            FROM access_log WHERE at >= @Since AND (@Who = '' OR caller LIKE '%' || @Who || '%') ORDER BY at DESC, id DESC LIMIT @Limit
            """, new { Since = since.ToUnixTimeMilliseconds(), Who = who, Limit = limit }, cancellationToken: cancellationToken))).AsList();
    }

    public Task<long> PruneAsync(DateTimeOffset before, CancellationToken cancellationToken) => writer.RunAsync(
        () => (long)writer.Connection.Execute("DELETE FROM access_log WHERE at < @Before", new { Before = before.ToUnixTimeMilliseconds() }), cancellationToken);
}
