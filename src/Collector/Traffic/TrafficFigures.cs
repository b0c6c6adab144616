namespace DaemonNet.Collector.Traffic;

/// <summary>
/// What crossed one link over a window: bytes each way, the rate over the latest interval (0 when
/// its host is silent: there is no current rate then) and the 95th-percentile rate.
/// </summary>
/// <param name="Points">Each interval's rates, oldest first.</param>
public sealed record TrafficFigures(
    double RxBytes, double TxBytes, double RxBitsPerSecond, double TxBitsPerSecond, double RxP95BitsPerSecond, double TxP95BitsPerSecond, int Intervals,
    IReadOnlyList<RatePoint> Points)
{
    public static readonly TrafficFigures None = new(0, 0, 0, 0, 0, 0, 0, []);

    /// <summary>The busier direction's 95th percentile: what a tunnel's limit is compared with.</summary>
    public double PeakP95 => Math.Max(RxP95BitsPerSecond, TxP95BitsPerSecond);
}
