namespace DaemonNet.Protos.Formats;

/// <summary>
/// What a mistyped word was most likely meant to be: a CLI command ("wher" → "where") or a VM
/// name ("web" → "web1", "web2").
/// </summary>
public static class Similarity
{
    /// <summary>At most this many edits (insert, delete, replace, or swap two neighbours) away.</summary>
    public const int MaxEdits = 2;

    /// <summary>The candidates close to the word, closest first; the word itself is not a suggestion.</summary>
    public static IReadOnlyList<string> Closest(string word, IEnumerable<string> candidates, int most)
    {
        var lower = word.ToLowerInvariant();
        return candidates
            .Where(c => !string.Equals(c, word, StringComparison.OrdinalIgnoreCase))
            .Select(c => (Candidate: c, Edits: Distance(lower, c.ToLowerInvariant())))
            .Where(c => c.Edits <= MaxEdits && c.Edits < c.Candidate.Length)
            .OrderBy(c => c.Edits)
            .ThenBy(c => c.Candidate, StringComparer.Ordinal)
            .Take(most)
            .Select(c => c.Candidate)
            .ToList();
    }

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
