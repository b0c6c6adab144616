namespace DaemonNet.Collector.Certificates;

/// <summary>
/// The lists an admin can read beside the CA (revoked.txt, tokens.txt, enrolment.txt): one entry
/// per line of space-separated fields, <c>#</c> starts a comment, written whole or not at all.
/// </summary>
public static class ListFile
{
    /// <summary>Each line's entry; a missing file has none. Throws <see cref="FormatException"/> naming the line <paramref name="parse"/> rejects (null).</summary>
    public static IReadOnlyList<T> Read<T>(string path, string shape, Func<string[], T?> parse)
        where T : class
    {
        if (!File.Exists(path))
        {
            return [];
        }
        var entries = new List<T>();
        var number = 0;
        foreach (var line in File.ReadLines(path))
        {
            number++;
            var text = line.Split('#', 2)[0].Trim();
            if (text.Length > 0)
            {
                entries.Add(parse(text.Split(' ', StringSplitOptions.RemoveEmptyEntries)) ?? throw new FormatException($"{path} line {number}: '{text}' is not '{shape}'"));
            }
        }
        return entries;
    }

    /// <summary>Replaces the file with a header and one line per entry.</summary>
    public static void Write<T>(string path, string header, IEnumerable<T> entries, Func<T, string> line, UnixFileMode mode) =>
        PrivateFiles.WriteAtomically(path, header + string.Concat(entries.Select(e => line(e) + "\n")), mode);
}
