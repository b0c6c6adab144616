using DaemonNet.Protos.V1;

namespace DaemonNet.Cli;

/// <summary>
/// The NetReg registration list as CSV: a header row naming a <c>mac</c> column and optionally a
/// <c>hostname</c> column (any order, any case, other columns ignored), then one registration per
/// row. Fields may be quoted; blank lines and lines starting with # are skipped.
/// </summary>
internal static class NetRegFile
{
    public static List<NetRegEntry> Read(string path)
    {
        string[] lines;
        try
        {
            lines = File.ReadAllLines(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"cannot read the NetReg file {path}: {e.Message}", e);
        }
        int? macColumn = null;
        int? hostnameColumn = null;
        var entries = new List<NetRegEntry>();
        for (var i = 0; i < lines.Length; i++)
        {
            var line = lines[i].Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var fields = Split(line, path, i + 1);
            if (macColumn is null)
            {
                var header = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
                macColumn = header.IndexOf("mac") is var m and >= 0
                    ? m
                    : throw new FormatException($"{path} line {i + 1}: the header names no \"mac\" column; the first row must name the columns, e.g. mac,hostname");
                hostnameColumn = header.IndexOf("hostname") is var h and >= 0 ? h : null;
                continue;
            }
            var text = macColumn.Value < fields.Count ? fields[macColumn.Value].Trim() : "";
            if (!MacAddressText.TryNormalize(text, out var mac))
            {
                throw new FormatException($"{path} line {i + 1}: '{text}' is not a MAC address (write it as 52:54:00:12:34:56)");
            }
            entries.Add(new NetRegEntry
            {
                Mac = mac,
                Hostname = hostnameColumn is { } column && column < fields.Count ? fields[column].Trim() : "",
            });
        }
        return macColumn is null
            ? throw new FormatException($"{path} is empty: it needs a header row naming a \"mac\" column, then one row per registered MAC")
            : entries;
    }

    // RFC 4180 fields: commas separate, double quotes enclose, "" inside quotes is one quote.
    private static List<string> Split(string line, string path, int number)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }
        if (quoted)
        {
            throw new FormatException($"{path} line {number}: a quoted field is not closed");
        }
        fields.Add(field.ToString());
        return fields;
    }
}
