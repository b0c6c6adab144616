namespace DaemonNet.Cli;

/// <summary>The command a mistyped word was most likely meant to be: "wher" → "where".</summary>
internal static class CommandSuggestion
{
    /// <summary>At most this many edits (insert, delete, replace, or swap two neighbours) away.</summary>
    private const int MaxEdits = 2;

    public static string? For(string word, IEnumerable<string> commands) =>
        commands.Contains(word, StringComparer.Ordinal)
            ? null
            : commands.Select(c => (Command: c, Edits: Distance(word.ToLowerInvariant(), c)))
                .Where(c => c.Edits <= MaxEdits && c.Edits < c.Command.Length)
                .OrderBy(c => c.Edits)
                .Select(c => c.Command)
                .FirstOrDefault();

    // Optimal string alignment distance: Levenshtein plus the swap of two neighbours ("whree").
    private static int Distance(string a, string b)
    {
        var d = new int[a.Length + 1, b.Length + 1];
        for (var i = 0; i <= a.Length; i++)
        {
            d[i, 0] = i;
        }
        for (var j = 0; j <= b.Length; j++)
        {
            d[0, j] = j;
        }
        for (var i = 1; i <= a.Length; i++)
        {
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                d[i, j] = Math.Min(Math.Min(d[i - 1, j] + 1, d[i, j - 1] + 1), d[i - 1, j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1])
                {
                    d[i, j] = Math.Min(d[i, j], d[i - 2, j - 2] + 1);
                }
            }
        }
        return d[a.Length, b.Length];
    }
}
