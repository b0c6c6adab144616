namespace DaemonNet.Cli.Output;

/// <summary>A plain text table: a header row and left-aligned columns two spaces apart.</summary>
internal sealed class Table(params string[] headers)
{
    private readonly List<string[]> rows = [];

    public void Add(params string[] cells) => rows.Add(cells);

    public void WriteTo(TextWriter writer, string indent = "")
    {
        var widths = headers.Select((h, i) => rows.Select(r => r[i].Length).Append(h.Length).Max()).ToArray();
        foreach (var row in rows.Prepend(headers))
        {
            writer.WriteLine(indent + string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd());
        }
    }
}
