using DaemonNet.HostAgent.Sources.Capture;

namespace DaemonNet.HostAgent.Tests.Sources.Capture;

public class CaptureTableTests
{
    private static readonly DateTimeOffset Start = DateTimeOffset.Parse("2026-11-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Saw_TheSameBindingOften_IsOneEntry_KeptWhileItIsSeen()
    {
        var table = new CaptureTable(16, TimeSpan.FromMinutes(15));
        for (var minute = 0; minute < 60; minute += 10)
        {
            table.Saw(new Sighting("52:54:00:ab:01:02", "10.77.0.50", false), "br0", Start.AddMinutes(minute));
        }

        Assert.Single(table.Current(Start.AddMinutes(60)));
        Assert.Empty(table.Current(Start.AddMinutes(50 + 16)));
    }

    [Fact]
    public void Saw_AClaimThenUse_BecomesAHolding_ButUseThenAProbeStaysOne()
    {
        var table = new CaptureTable(16, TimeSpan.FromMinutes(15));
        table.Saw(new Sighting("52:54:00:ab:01:02", "2001:db8:77::50", true), "br0", Start);
        var claimed = table.Current(Start);
        table.Saw(new Sighting("52:54:00:ab:01:02", "2001:db8:77::50", false), "br0", Start.AddSeconds(1));
        table.Saw(new Sighting("52:54:00:ab:01:02", "2001:db8:77::50", true), "br0", Start.AddSeconds(2));

        Assert.True(Assert.Single(claimed).Claim);
        Assert.False(Assert.Single(table.Current(Start.AddSeconds(2))).Claim);
    }

    [Fact]
    public void Saw_OneMacFloodingAddresses_KeepsAtMostItsShare_AndCrowdsOutNoOtherMac()
    {
        var table = new CaptureTable(1_000, TimeSpan.FromMinutes(15), perMac: 64);
        table.Saw(new Sighting("52:54:00:ab:01:02", "10.77.0.50", false), "br0", Start);
        for (var i = 0; i < 10_000; i++)
        {
            table.Saw(new Sighting("52:54:00:ee:00:01", $"10.{i / 65536}.{i / 256 % 256}.{i % 256}", false), "br0", Start.AddMilliseconds(i + 1));
        }

        var current = table.Current(Start.AddSeconds(11));
        Assert.InRange(current.Count(c => c.Mac == "52:54:00:ee:00:01"), 1, 64);
        Assert.Contains(current, c => c.Mac == "52:54:00:ee:00:01" && c.Ip == "10.0.39.15");
        Assert.Contains(current, c => c.Ip == "10.77.0.50");
    }

    [Fact]
    public void Saw_AFloodOfInventedAddresses_StaysWithinCapacity_DroppingTheLeastRecentlySeen()
    {
        var table = new CaptureTable(100, TimeSpan.FromMinutes(15), perMac: 1_000_000);
        table.Saw(new Sighting("52:54:00:ab:01:02", "10.77.0.50", false), "br0", Start);
        for (var i = 0; i < 10_000; i++)
        {
            table.Saw(new Sighting("52:54:00:ee:00:01", $"10.{i / 65536}.{i / 256 % 256}.{i % 256}", false), "br0", Start.AddMilliseconds(i + 1));
            if (i % 50 == 0)
            {
                table.Saw(new Sighting("52:54:00:ab:01:02", "10.77.0.50", false), "br0", Start.AddMilliseconds(i + 1));
            }
        }

        var current = table.Current(Start.AddSeconds(11));
        Assert.True(current.Count <= 100, $"{current.Count} entries");
        Assert.Contains(current, c => c.Ip == "10.77.0.50");
        Assert.True(table.Dropped >= 9_900, $"{table.Dropped} dropped");
    }
}
