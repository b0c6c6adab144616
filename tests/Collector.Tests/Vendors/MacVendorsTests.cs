using DaemonNet.Collector.Vendors;
using DaemonNet.Tests.Support;
using Microsoft.Extensions.Time.Testing;

namespace DaemonNet.Collector.Tests.Vendors;

/// <summary>Vendor names from Debian's ieee-data as installed (scripts/prerequisites.sh installs it), not from a copy.</summary>
public sealed class MacVendorsTests
{
    private static readonly MacVendors Installed = new(MacVendors.DefaultFolder, TimeProvider.System);

    [Theory]
    [InlineData("74:83:c2:00:00:09", "Ubiquiti Networks Inc.")]
    [InlineData("F4-BD-9E-12-34-56", "Cisco Systems, Inc")]
    [InlineData("20:85:93:d1:23:45", "Shanghai Kenmyond Industrial Network Equipment Co.,Ltd")]
    [InlineData("70:b3:d5:03:a1:23", "Ochno AB")]
    [InlineData("00:50:c2:24:e1:23", "Scharff Weisberg Systems Integration Inc")]
    [InlineData("52:54:00:12:34:56", MacVendors.QemuVirtualNic)]
    [InlineData("de:ad:be:ef:00:01", MacVendors.LocallyAdministered)]
    [InlineData("02:00:00:00:00:01", MacVendors.LocallyAdministered)]
    [InlineData("0c:00:00:00:00:11", "")]
    [InlineData("not a mac", "")]
    public void Describe_NamesTheLongestRegisteredPrefix_QemuAndRandomMacsByWhatTheyAre(string mac, string expected)
    {
        Assert.Equal(expected, Installed.Describe(mac));
    }

    [Fact]
    public void AllFourRegistries_AreRead()
    {
        Assert.True(Installed.Count > 40_000, $"only {Installed.Count} assignments read from {MacVendors.DefaultFolder}");
    }

    [Fact]
    public void Describe_WithoutIeeeData_NamesOnlyWhatNeedsNoRegistry()
    {
        using var folder = new TempDirectory();
        var vendors = new MacVendors(folder.Path, TimeProvider.System);

        Assert.Equal(("", MacVendors.QemuVirtualNic, 0), (vendors.Describe("74:83:c2:00:00:09"), vendors.Describe("52:54:00:00:00:01"), vendors.Count));
    }

    [Fact]
    public async Task Describe_AfterThePackageUpdatesTheFiles_ReadsThemAgain()
    {
        using var folder = new TempDirectory();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await File.WriteAllTextAsync(folder.File("oui.csv"), "Registry,Assignment,Organization Name,Organization Address\nMA-L,7483C2,Old Name,Somewhere\n");
        var vendors = new MacVendors(folder.Path, clock);
        var before = vendors.Describe("74:83:c2:00:00:09");

        await File.WriteAllTextAsync(folder.File("oui.csv"), "Registry,Assignment,Organization Name,Organization Address\nMA-L,7483C2,\"New Name, Inc\",Elsewhere\n");
        File.SetLastWriteTimeUtc(folder.File("oui.csv"), DateTime.UtcNow.AddMinutes(1));
        var withinTheMinute = vendors.Describe("74:83:c2:00:00:09");
        clock.Advance(TimeSpan.FromMinutes(1));
        var after = vendors.Describe("74:83:c2:00:00:09");

        Assert.Equal(("Old Name", "Old Name", "New Name, Inc"), (before, withinTheMinute, after));
    }
}
