using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Protos.Csv;

/// <summary>
/// RFC 4180 text: one header line, then one line per record, each ended by CRLF. A field with a
/// comma, a double quote, CR or LF is quoted, and its double quotes doubled; others are written as
/// they are.
/// </summary>
public static class CsvWriter
{
    public const string MediaType = "text/csv";

    public static string Write(IReadOnlyList<string> header, IEnumerable<IReadOnlyList<string>> records)
    {
        var text = new StringBuilder();
        WriteRecord(text, header);
        foreach (var record in records)
        {
            if (record.Count != header.Count)
            {
                throw new ArgumentException($"a record has {record.Count} fields where the header has {header.Count}", nameof(records));
            }
            WriteRecord(text, record);
        }
        return text.ToString();
    }

    /// <summary>An instant as RFC 3339 in UTC ("2026-12-07T09:45:00Z"); empty when unset.</summary>
    public static string Time(Timestamp? instant) =>
        instant is null ? "" : instant.ToDateTimeOffset().UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture);

    public static string Number(long value) => value.ToString(CultureInfo.InvariantCulture);

    public static string Flag(bool value) => value ? "true" : "false";

    private static void WriteRecord(StringBuilder text, IReadOnlyList<string> fields)
    {
        for (var i = 0; i < fields.Count; i++)
        {
            if (i > 0)
            {
                text.Append(',');
            }
            var field = fields[i];
            if (field.AsSpan().IndexOfAny(",\"\r\n") >= 0)
            {
                text.Append('"').Append(field.Replace("\"", "\"\"", StringComparison.Ordinal)).Append('"');
            }
            else
            {
                text.Append(field);
            }
        }
        text.Append("\r\n");
    }
}
