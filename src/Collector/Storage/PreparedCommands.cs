using System.Data;
using System.Data.Common;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// Statements the writer runs many times with new values, each prepared once on the writer's
/// connection and kept: Dapper makes a new command for every call, and preparing a statement
/// costs SQLite as much as running a small one. Only the writer uses them, under its lock.
/// </summary>
internal sealed class PreparedCommands(DbConnection writer) : IDisposable
{
    private readonly Dictionary<string, DbCommand> commands = new(StringComparer.Ordinal);

    /// <summary>The statement, prepared with the named parameters (all null until set).</summary>
    public DbCommand For(string sql, IEnumerable<(string Name, DbType Type)> parameters)
    {
        if (!commands.TryGetValue(sql, out var command))
        {
            command = writer.CreateCommand();
            command.CommandText = sql;
            foreach (var (name, type) in parameters)
            {
                var parameter = command.CreateParameter();
                parameter.ParameterName = name;
                parameter.DbType = type;
                parameter.Value = DBNull.Value;
                command.Parameters.Add(parameter);
            }
            command.Prepare();
            commands[sql] = command;
        }
        return command;
    }

    public void Dispose()
    {
        foreach (var command in commands.Values)
        {
            command.Dispose();
        }
        commands.Clear();
    }
}
