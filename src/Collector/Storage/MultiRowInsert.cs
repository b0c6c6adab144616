using System.Collections.Concurrent;
using System.Text;
using System.Text.RegularExpressions;
using DaemonNet.Protos.Formats;
using Dapper;

namespace DaemonNet.Collector.Storage;

/// <summary>
/// A one-row <c>INSERT … VALUES (@A, @B)</c> written out for many rows: <c>VALUES (@A_0, @B_0),
/// (@A_1, @B_1), …</c>, a given number of rows a statement. Dapper runs a one-row statement once
/// per row, which for PostgreSQL is a round trip per row. Both databases take the form. A
/// <c>RETURNING</c> clause after the row stays at the end of each statement.
/// </summary>
internal static partial class MultiRowInsert
{
    private static readonly ConcurrentDictionary<string, (string Head, string Tuple, string Tail)> Templates = new(StringComparer.Ordinal);

    /// <summary>
    /// The statements that insert a row per fact. A row's values are the fact's properties, and
    /// <paramref name="shared"/>'s values (the host, the time) for the parameters it names.
    /// </summary>
    public static IEnumerable<(string Sql, DynamicParameters Parameters)> Statements<T>(string insert, IReadOnlyList<T> facts,
        IReadOnlyDictionary<string, object?> shared, int rowsPerStatement)
        where T : notnull
    {
        var (head, tuple, tail) = Templates.GetOrAdd(insert, Split);
        foreach (var chunk in facts.Chunk(rowsPerStatement))
        {
            var sql = new StringBuilder(head);
            var parameters = new DynamicParameters();
            for (var i = 0; i < chunk.Length; i++)
            {
                sql.Append(i == 0 ? " " : ", ").Append(Parameter().Replace(tuple, $"@${{name}}_{i}"));
                foreach (var (name, type, value) in PreparedCommands.Values(insert, chunk[i], shared))
                {
                    parameters.Add($"{name}_{i}", value, type);
                }
            }
            yield return (sql.Append(tail).ToString(), parameters);
        }
    }

    /// <summary>The statement up to VALUES, the row's tuple (to its closing parenthesis), and what follows the row.</summary>
    private static (string Head, string Tuple, string Tail) Split(string insert)
    {
        var values = insert.LastIndexOf("VALUES", StringComparison.Ordinal) + "VALUES".Length;
        var end = insert.IndexOf(')', values) + 1;
        return (insert[..values], insert[values..end].Trim(), insert[end..]);
    }

    [GeneratedRegex(@"@(?<name>\w+)", RegexOptions.None, RegexTimeout.Milliseconds)]
    private static partial Regex Parameter();
}
