using DaemonNet.Collector.Traffic;

namespace DaemonNet.Collector.Tests.Traffic;

public class CounterDeltaTests
{
    private const ulong Max = ulong.MaxValue;

    [Theory]
    [InlineData(1_000UL, 5_000UL, false, 4_000UL)]
    [InlineData(5_000UL, 5_000UL, false, 0UL)]
    [InlineData(Max - 99, 100UL, false, 200UL)]
    [InlineData(9_000_000UL, 700UL, false, 700UL)]
    [InlineData(1UL << 62, 700UL, false, 700UL)]
    [InlineData(1_000UL, 5_000UL, true, 5_000UL)]
    public void Flowed_CountsGrowthWrapAndRestart(ulong before, ulong after, bool restarted, ulong expected)
    {
        Assert.Equal(expected, CounterDelta.Flowed(before, after, restarted));
    }

    [Fact]
    public void Between_NewIfindexOrBoot_CountsFromZero()
    {
        var before = new CounterReading("he-ipv6", "boot-1", 5, 1_000, 9_000, 9_000, 90, 90);

        var recreated = CounterDelta.Between(before, before with { Ifindex = 9, SampledAt = 2_000, RxBytes = 12_000 });
        var rebooted = CounterDelta.Between(before, before with { BootId = "boot-2", SampledAt = 2_000, RxBytes = 12_000 });
        var grown = CounterDelta.Between(before, before with { SampledAt = 2_000, RxBytes = 12_000 });

        Assert.Equal((12_000L, 9_000L), (recreated.RxBytes, recreated.TxBytes));
        Assert.Equal(12_000L, rebooted.RxBytes);
        Assert.Equal((3_000L, 0L, 1_000L, 2_000L), (grown.RxBytes, grown.TxBytes, grown.ValidFrom, grown.ValidTo));
    }

    [Theory]
    [InlineData("boot-1", 5, 9_000L, false)]
    [InlineData("boot-2", 5, 9_000L, true)]
    [InlineData("boot-1", 6, 9_000L, true)]
    [InlineData("boot-1", 5, 100L, true)]
    public void Restarted_NewBootNewIfindexOrAFall(string bootId, long ifindex, long rxBytes, bool expected)
    {
        var before = new CounterReading("he-ipv6", "boot-1", 5, 1_000, 5_000, 5_000, 50, 50);

        Assert.Equal(expected, CounterDelta.Restarted(before, new CounterReading("he-ipv6", bootId, ifindex, 2_000, rxBytes, 5_000, 50, 50)));
    }

    [Fact]
    public void Restarted_WrapPastTwoToThe64_IsNoRestart()
    {
        var before = new CounterReading("he-ipv6", "b", 5, 1_000, unchecked((long)(Max - 999)), 0, 0, 0);

        Assert.False(CounterDelta.Restarted(before, before with { SampledAt = 2_000, RxBytes = 1_000 }));
    }

    [Fact]
    public void Between_StoredPastTwoToThe63_WrapsThroughTheSignedColumn()
    {
        var before = new CounterReading("he-ipv6", "b", 5, 1_000, unchecked((long)(Max - 999)), 0, 0, 0);

        var delta = CounterDelta.Between(before, before with { SampledAt = 2_000, RxBytes = 1_000 });

        Assert.Equal(2_000L, delta.RxBytes);
    }
}
