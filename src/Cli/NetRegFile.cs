using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;

namespace DaemonNet.Cli;

/// <summary>
/// The NetReg registration list as CSV: a header row naming a <c>mac</c> column and optionally a
/// <c>hostname</c> column (any order, any case, other columns ignored), then one registration per
/// row. Fields may be quoted; blank lines and lines starting with # are skipped.
/// </summary>
internal static class NetRegFile
{
    /// <summary>The collector's bounds, checked while reading, so a huge file fails at its first line too many.</summary>
    public static readonly int MaxEntries = WireLimits.Of("AuditRequest.netreg").MaxCount;

    private static readonly int MaxHostnameLength = WireLimits.Of("NetRegEntry.hostname").MaxLength;

    /// <summary>No registration row is anywhere near this long: a longer line is not a NetReg file.</summary>
    public const int MaxLineLength = 4_096;

    public static List<NetRegEntry> Read(string path)
    {
        try
        {
            using var reader = new StreamReader(path);
            return Read(reader, path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new FormatException($"cannot read the NetReg file {path}: {e.Message}", e);
        }
    }

    private static List<NetRegEntry> Read(TextReader reader, string path)
    {
        int? macColumn = null;
        int? hostnameColumn = null;
        var entries = new List<NetRegEntry>();
        var number = 0;
        while (ReadLine(reader, path, ++number) is { } rawLine)
        {
            var line = rawLine.Trim();
            if (line.Length == 0 || line.StartsWith('#'))
            {
                continue;
            }
            var fields = Split(line, path, number);
            if (macColumn is null)
            {
                var header = fields.Select(f => f.Trim().ToLowerInvariant()).ToList();
                macColumn = header.IndexOf("mac") is var m and >= 0
                    ? m
                    : throw new FormatException($"{path} line {number}: the header names no \"mac\" column; the first row must name the columns, e.g. mac,hostname");
                hostnameColumn = header.IndexOf("hostname") is var h and >= 0 ? h : null;
                continue;
            }
            if (entries.Count == MaxEntries)
            {
                throw new FormatException($"{path} line {number}: more than {MaxEntries:N0} registrations, the most an audit accepts; split the list, or audit the forward-bridge MACs of fewer hosts");
            }
            var text = macColumn.Value < fields.Count ? fields[macColumn.Value].Trim() : "";
            if (!MacAddressText.TryNormalize(text, out var mac))
            {
                throw new FormatException($"{path} line {number}: '{text}' is not a MAC address (write it as 52:54:00:12:34:56)");
            }
            var hostname = hostnameColumn is { } column && column < fields.Count ? fields[column].Trim() : "";
            if (hostname.Length > MaxHostnameLength || hostname.Any(char.IsControl))
            {
                throw new FormatException($"{path} line {number}: the hostname is not a host name of at most {MaxHostnameLength} characters");
            }
            entries.Add(new NetRegEntry { Mac = mac, Hostname = hostname });
        }
        return macColumn is null
            ? throw new FormatException($"{path} is empty: it needs a header row naming a \"mac\" column, then one row per registered MAC")
            : entries;
    }

    /// <summary>One line, or null at the end; a line longer than <see cref="MaxLineLength"/> is refused before it is all in memory.</summary>
    private static string? ReadLine(TextReader reader, string path, int number)
    {
        var line = new System.Text.StringBuilder();
        int c;
        while ((c = reader.Read()) >= 0)
        {
            if (c == '\n')
            {
                return line.ToString();
            }
            if (line.Length == MaxLineLength)
            {
                throw new FormatException($"{path} line {number}: longer than {MaxLineLength:N0} characters; a NetReg file has one short row per registration");
            }
            if (c != '\r')
            {
                line.Append((char)c);
            }
        }
        return line.Length > 0 ? line.ToString() : null;
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
