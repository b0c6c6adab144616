using DaemonNet.Tests.Support;
using Microsoft.Playwright;

namespace DaemonNet.Collector.Tests.Http;

/// <summary>
/// Debian's chromium, headless, driven by Playwright with the system executable (nothing
/// downloaded). Started once for the page tests, which each open a window of their own in it:
/// starting the driver and the browser for each test cost more than most tests themselves.
/// </summary>
/// <remarks>
/// The browser runs in a network namespace of its own, joined to the machine by one veth pair,
/// and reaches the collector at <see cref="CollectorAddress"/>. Chromium drops every request in
/// flight, scripts included, with ERR_NETWORK_CHANGED when an address appears or goes on the
/// machine, as the end-to-end tests' bridges and taps do while these run; in its own namespace it
/// sees no such change.
/// </remarks>
public sealed class HeadlessChromium : IAsyncLifetime, IDisposable
{
    /// <summary>The machine's end of the browser's link: the collector listens here for the page tests.</summary>
    public const string CollectorAddress = "10.254.80.1";

    private const string BrowserAddress = "10.254.80.2";

    private readonly NetworkNamespace network = NetworkNamespace.Create("web");
    private readonly TempDirectory folder = new();
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        var outside = $"dn{Environment.ProcessId}web";
        Shell.Run("ip", "link", "add", outside, "type", "veth", "peer", "name", "eth0", "netns", network.Name);
        Shell.Run("ip", "addr", "add", $"{CollectorAddress}/30", "dev", outside);
        Shell.Run("ip", "link", "set", outside, "up");
        network.Ip("addr", "add", $"{BrowserAddress}/30", "dev", "eth0");
        network.Ip("link", "set", "eth0", "up");
        // Playwright starts the executable it is given and talks to it over inherited pipes, which `ip netns exec` keeps.
        var launcher = folder.File("chromium");
        await File.WriteAllTextAsync(launcher, $"#!/bin/sh\nexec ip netns exec {network.Name} /usr/bin/chromium \"$@\"\n");
        File.SetUnixFileMode(launcher, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        playwright = await Playwright.CreateAsync();
        // Root may not use chromium's sandbox; the page is our own.
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = launcher, Headless = true, Args = ["--no-sandbox"] });
    }

    /// <summary>xunit calls this first, then <see cref="Dispose"/>: the browser goes before its network.</summary>
    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright?.Dispose();
    }

    public void Dispose()
    {
        // Deleting the namespace deletes the veth pair, the machine's end with it.
        network.Dispose();
        folder.Dispose();
    }
}
