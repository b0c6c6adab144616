using Microsoft.Playwright;

namespace DaemonNet.Collector.Tests.Http;

/// <summary>
/// Debian's chromium, headless, driven by Playwright with the system executable (nothing
/// downloaded). Started once for the page tests, which each open a window of their own in it:
/// starting the driver and the browser for each test cost more than most tests themselves.
/// </summary>
public sealed class HeadlessChromium : IAsyncLifetime
{
    private IPlaywright? playwright;

    public IBrowser Browser { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        playwright = await Playwright.CreateAsync();
        // Root may not use chromium's sandbox; the page is our own.
        Browser = await playwright.Chromium.LaunchAsync(new() { ExecutablePath = "/usr/bin/chromium", Headless = true, Args = ["--no-sandbox"] });
    }

    public async Task DisposeAsync()
    {
        await Browser.DisposeAsync();
        playwright?.Dispose();
    }
}
