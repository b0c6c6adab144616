using System.Globalization;

namespace DaemonNet.Tests.Support.Soak;

/// <summary>What one soak run did and what its checks found: the figures, and the first examples of each kind of failure.</summary>
public sealed class SoakReport(SoakSettings settings)
{
    private const int ExamplesKept = 12;
    private readonly Dictionary<string, List<string>> failures = new(StringComparer.Ordinal);
    private readonly Dictionary<string, long> failureCounts = new(StringComparer.Ordinal);

    public SoakSettings Settings { get; } = settings;

    public TimeSpan Simulated { get; set; }

    public IReadOnlyDictionary<string, int> Actions { get; set; } = new Dictionary<string, int>(StringComparer.Ordinal);

    public IReadOnlyDictionary<string, int> Faults { get; set; } = new Dictionary<string, int>(StringComparer.Ordinal);

    /// <summary>Fact and instant pairs compared, over the history, the sampled where answers and the acknowledged snapshots.</summary>
    public long FactsChecked { get; set; }

    /// <summary>Comparisons where the store lacked a fact but said it knew nothing then (a recorded silence).</summary>
    public long UnknownSaidSo { get; set; }

    public long HistoryChecked { get; set; }

    public long WhereAnswers { get; set; }

    public long AcknowledgedSnapshots { get; set; }

    public long AlertsStored { get; set; }

    /// <summary>Deliveries a receiver got more than once, told apart by the alert's id.</summary>
    public long DuplicateDeliveries { get; set; }

    public IReadOnlyList<double> AckMilliseconds { get; set; } = [];

    public string Integrity { get; set; } = "unchecked";

    public long Lost => Count("lost");

    public long False => Count("false");

    public long AlertsMissing => Count("alert-missing");

    public long AlertsDuplicated => Count("alert-duplicated");

    public bool Passed => failureCounts.Values.All(c => c == 0) && Integrity == "ok";

    public long Count(string kind) => failureCounts.GetValueOrDefault(kind);

    /// <summary>Records a failure of a kind (lost, false, alert-missing, alert-duplicated, alert-false, delivery-lost…) with an example.</summary>
    public void Fail(string kind, string example)
    {
        failureCounts[kind] = failureCounts.GetValueOrDefault(kind) + 1;
        var examples = failures.TryGetValue(kind, out var found) ? found : failures[kind] = [];
        if (examples.Count < ExamplesKept)
        {
            examples.Add(example);
        }
    }

    private static string Percentile(IReadOnlyList<double> values, double p)
    {
        if (values.Count == 0)
        {
            return "-";
        }
        var sorted = values.Order().ToList();
        return sorted[Math.Min(sorted.Count - 1, (int)Math.Ceiling(p * sorted.Count) - 1)].ToString("0", CultureInfo.InvariantCulture);
    }

    private static string Counts(IReadOnlyDictionary<string, int> counts) =>
        counts.Count == 0 ? "none" : string.Join(' ', counts.OrderBy(c => c.Key, StringComparer.Ordinal).Select(c => $"{c.Key}={c.Value}"));

    /// <summary>The one line of figures.</summary>
    public string Summary() => string.Create(CultureInfo.InvariantCulture,
        $"soak seed={Settings.Seed} store={Settings.Store.ToString().ToLowerInvariant()} hosts={Settings.Hosts} minutes={Simulated.TotalMinutes:0.0} " +
        $"actions={Actions.Values.Sum()} faults={Faults.Values.Sum()} ({Counts(Faults)}) checked={FactsChecked} lost={Lost} false={False} " +
        $"unknown-said-so={UnknownSaidSo} acked-snapshots={AcknowledgedSnapshots} where-answers={WhereAnswers} alerts={AlertsStored} " +
        $"alerts-missing={AlertsMissing} alerts-duplicated={AlertsDuplicated} resent-deliveries={DuplicateDeliveries} " +
        $"ack-ms p50={Percentile(AckMilliseconds, 0.5)} p99={Percentile(AckMilliseconds, 0.99)} max={Percentile(AckMilliseconds, 1)} integrity={Integrity} " +
        $"{(Passed ? "PASS" : "FAIL")}");

    /// <summary>The summary, the actions, and every kind of failure with its examples.</summary>
    public override string ToString()
    {
        var lines = new List<string> { Summary(), $"actions: {Counts(Actions)}" };
        foreach (var (kind, examples) in failures.OrderBy(f => f.Key, StringComparer.Ordinal))
        {
            lines.Add($"{kind}: {failureCounts[kind]}");
            lines.AddRange(examples.Select(e => $"  {e}"));
        }
        return string.Join('\n', lines);
    }
}
