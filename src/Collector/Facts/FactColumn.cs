namespace DaemonNet.Collector.Facts;

/// <summary>The kinds of value a fact's column holds: whole numbers (times, states, flags) and text.</summary>
public enum ColumnType
{
    Integer,
    Text,
}

/// <summary>One column of a fact table: its name in SQL, the fact's property it holds, its type, and whether it may be NULL.</summary>
public sealed record FactColumn(string Name, string Property, ColumnType Type, bool Nullable = false);
