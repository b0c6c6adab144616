using System.Collections.Concurrent;
using System.Data;
using System.Data.Common;
using System.Reflection;
using System.Text.RegularExpressions;
using DaemonNet.Protos.Formats;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Statements the writer runs many times with new values, each prepared once on the writer's
/// connection and kept: Dapper makes a new command for every call, and preparing a statement
/// costs SQLite as much as running a small one. Only the writer uses them, under its lock.
/// </summary>
internal sealed partial class PreparedCommands(DbConnection writer) : IDisposable
{
    private readonly Dictionary<string, DbCommand> commands = new(StringComparer.Ordinal);

    /// <summary>The statement with its parameters taken from <paramref name="values"/>' properties of the same names, in the transaction.</summary>
    public DbCommand Bind(string sql, object values, DbTransaction transaction) => Bind(sql, Values(sql, values, NoneShared), transaction);

    private static readonly Dictionary<string, object?> NoneShared = [];

    /// <summary>
    /// The statement with the named values, in the transaction; a null value is sent as NULL of its
    /// type. The values of a statement come in the same order at every call, and are bound by place.
    /// </summary>
    public DbCommand Bind(string sql, IReadOnlyList<(string Name, DbType Type, object? Value)> values, DbTransaction transaction)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = writer.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, type, _) in values)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.DbType = type;
                command.Parameters.Add(parameter);
            }
            command.Prepare();
            commands[sql] = command;
        }
        command.Transaction = transaction;
        for (var i = 0; i < values.Count; i++)
        {
            var parameter = command.Parameters[i];
            if (parameter.ParameterName != values[i].Name)
            {
                throw new InvalidOperationException($"the statement was prepared with {parameter.ParameterName} where {values[i].Name} is given now");
            }
            parameter.Value = values[i].Value ?? DBNull.Value;
        }
        return command;
    }

    /// <summary>
    /// The values of a statement's parameters, in the order they first appear, for one fact: each
    /// the fact's property of that name, or else <paramref name="shared"/>'s value (the host, the
    /// time, a row's id). With their types: a null says nothing of its type, which PostgreSQL needs.
    /// </summary>
    public static (string Name, DbType Type, object? Value)[] Values<T>(string sql, T fact, IReadOnlyDictionary<string, object?> shared)
        where T : notnull
    {
        var columns = Columns.GetOrAdd((sql, fact.GetType()), key =>
        {
            var properties = key.Fact.GetProperties(BindingFlags.Public | BindingFlags.Instance);
            return [.. Parameter().Matches(key.Sql).Select(m => m.Groups["name"].Value).Distinct(StringComparer.Ordinal).Select(name =>
                properties.FirstOrDefault(p => p.Name == name) is { } property
                    ? new Column(name, TypeOf(property.PropertyType), property)
                    : new Column(name, DbType.Int64, null))];
        });
        var values = new (string Name, DbType Type, object? Value)[columns.Length];
        for (var i = 0; i < columns.Length; i++)
        {
            var column = columns[i];
            values[i] = (column.Name, column.Type, column.Property is { } property ? property.GetValue(fact) : shared[column.Name]);
        }
        return values;
    }

    /// <summary>A parameter of a statement: a property of the fact, or else a value the caller gives beside it.</summary>
    private sealed record Column(string Name, DbType Type, PropertyInfo? Property);

    private static readonly ConcurrentDictionary<(string Sql, Type Fact), Column[]> Columns = new();

    [GeneratedRegex(@"@(?<name>\w+)", RegexOptions.None, RegexTimeout.Milliseconds)]
    private static partial Regex Parameter();

    /// <summary>The first row the statement returns, if any.</summary>
    public T? QueryFirstOrDefault<T>(string sql, object values, DbTransaction transaction)
    {
        using var reader = Bind(sql, values, transaction).ExecuteReader();
        return reader.Read() ? reader.GetRowParser<T>()(reader) : default;
    }

    /// <summary>The column type of a property: facts and parameters hold whole numbers and text, the outbox bytes.</summary>
    public static DbType TypeOf(Type type) => (Nullable.GetUnderlyingType(type) ?? type) switch
    {
        var t when t == typeof(long) => DbType.Int64,
        var t when t == typeof(int) => DbType.Int32,
        var t when t == typeof(string) => DbType.String,
        var t when t == typeof(byte[]) => DbType.Binary,
        var t => throw new NotSupportedException($"a {t.Name} value has no column type here"),
    };

    public void Dispose()
    {
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }
        commands.Clear();
    }
}
