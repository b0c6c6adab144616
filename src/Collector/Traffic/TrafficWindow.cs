namespace DaemonNet.Collector.Traffic;

/// <summary>Volume, latest rate and 95th-percentile rate of one link over a window, from its traffic rows.</summary>
public static class TrafficWindow
{
    /// <param name="rows">The link's rows that end after <paramref name="since"/>, oldest first.</param>
    /// <param name="since">Unix milliseconds; a row that started before it counts in proportion to its overlap.</param>
    /// <param name="current">False when the host is silent: then there is no current rate.</param>
    public static TrafficFigures Summarize(IReadOnlyList<TrafficRow> rows, long since, bool current)
    {
        var rx = new List<double>(rows.Count);
        var tx = new List<double>(rows.Count);
        var points = new List<RatePoint>(rows.Count);
        double rxBytes = 0, txBytes = 0;
        foreach (var row in rows.Where(r => r.ValidTo > r.ValidFrom))
        {
            var share = row.ValidFrom >= since ? 1.0 : (row.ValidTo - since) / (double)(row.ValidTo - row.ValidFrom);
            rxBytes += row.RxBytes * share;
            txBytes += row.TxBytes * share;
            rx.Add(row.RxBytes * 8 / row.Seconds);
            tx.Add(row.TxBytes * 8 / row.Seconds);
            points.Add(new RatePoint(row.ValidFrom, row.ValidTo, rx[^1], tx[^1]));
        }
        if (rx.Count == 0)
        {
            return TrafficFigures.None with { Intervals = rows.Count };
        }
        return new TrafficFigures(Math.Round(rxBytes), Math.Round(txBytes), current ? rx[^1] : 0, current ? tx[^1] : 0,
            Percentile95(rx), Percentile95(tx), rows.Count, points);
    }

    /// <summary>Nearest rank: the smallest rate that at least 95 % of the intervals do not exceed.</summary>
    public static double Percentile95(List<double> rates)
    {
        var sorted = rates.Order().ToList();
        return sorted[(int)Math.Ceiling(0.95 * sorted.Count) - 1];
    }
}
