using DaemonNet.Collector.Tests.Certificates;
using DaemonNet.Protos.Formats;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;
using Google.Protobuf.WellKnownTypes;
using Grpc.Net.Client;
using Microsoft.Playwright;
using static DaemonNet.Collector.Tests.Snapshots;

namespace DaemonNet.Collector.Tests.Http;

/// <summary>
/// The collector's web page in a real headless browser: Debian's chromium, driven by Playwright
/// with the system executable (nothing downloaded). The collector runs with open reads, as a club
/// that shows the page to its members would run it; the browser trusts its certificate by
/// ignoring HTTPS errors, since the cluster CA is not in chromium's store.
/// </summary>
public class WebPageTests(HeadlessChromium chromium) : IClassFixture<HeadlessChromium>
{
    private const string Mac1 = "52:54:00:aa:00:01";

    private static async Task SendAsync(GrpcChannel agent, params AgentMessage[] messages)
    {
        using var call = new Ingest.IngestClient(agent).Sync();
        ulong sequence = 0;
        foreach (var message in messages)
        {
            message.Sequence = ++sequence;
            await call.RequestStream.WriteAsync(message);
            await call.ResponseStream.MoveNext(CancellationToken.None);
        }
    }

    private static HostSnapshot Web1(DomainState state)
    {
        var snapshot = Host("daemon1", Vm("web1", 1, state, NatNic(Mac1))).WithClubNetworks().WithLease("192.168.122.45", Mac1, TimeSpan.FromHours(1))
            .WithTunnel("he-ipv6", "10.20.30.11", "216.66.80.26", addresses: ["2001:470:1f0a:a6f::2/64"]);
        // An agent checking every minute, so that minutes between reports are no silence.
        snapshot.Interval = Duration.FromTimeSpan(TimeSpan.FromMinutes(1));
        return snapshot;
    }

    /// <summary>A collector where the browser reaches it: on its end of the browser's link (see <see cref="HeadlessChromium"/>).</summary>
    private static Task<TlsCollector> StartCollectorAsync(bool realClock = false, bool openReads = false, Dictionary<string, string?>? settings = null) =>
        TlsCollector.StartAsync(realClock, openReads, settings, HeadlessChromium.CollectorAddress);

    /// <summary>A window of its own (a browser context) on the page: closing it leaves nothing behind for the next test.</summary>
    private async Task<(IBrowserContext Window, IPage Page)> OpenAsync(TlsCollector cluster, string path = "/")
    {
        // One context, as one browser window: its tabs share local storage, each has its own session storage.
        var window = await chromium.Browser.NewContextAsync(new()
        {
            IgnoreHTTPSErrors = true, ViewportSize = new() { Width = 390, Height = 844 }, Permissions = ["clipboard-read", "clipboard-write"],
        });
        var page = await window.NewPageAsync();
        await page.GotoAsync(cluster.Server.Url.TrimEnd('/') + path);
        await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("live");
        return (window, page);
    }

    [Fact]
    public async Task Search_ForAVmByName_ShowsItsHostStateAndAddressWithItsSource()
    {
        await using var cluster = await StartCollectorAsync(openReads: true);
        using var agent = cluster.Channel("daemon1");
        await SendAsync(agent, new AgentMessage { Snapshot = Web1(DomainState.Running) });
        var (window, page) = await OpenAsync(cluster);
        await using (window)
        {
            await page.GetByLabel("VM name, uuid, MAC or IP").FillAsync("web1");
            await page.Keyboard.PressAsync("Enter");

            await Assertions.Expect(page.Locator("main")).ToContainTextAsync("web1 on daemon1: running");
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync("192.168.122.45");
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync("lease");
            await Assertions.Expect(page.Locator("main td .note")).ToHaveTextAsync("QEMU/KVM virtual NIC");
        }
    }

    [Fact]
    public async Task AChangeOnAHost_AppearsWithoutReload()
    {
        await using var cluster = await StartCollectorAsync(openReads: true);
        using var agent = cluster.Channel("daemon1");
        await SendAsync(agent, new AgentMessage { Snapshot = Web1(DomainState.Running) });
        var (window, page) = await OpenAsync(cluster);
        await using (window)
        {
            await page.GetByLabel("VM name, uuid, MAC or IP").FillAsync("web1");
            await page.GetByRole(AriaRole.Button, new() { Name = "Where?" }).ClickAsync();
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync("web1 on daemon1: running");
            var loaded = await page.EvaluateAsync<double>("performance.timeOrigin");

            await SendAsync(agent, new AgentMessage { Snapshot = Web1(DomainState.Paused) });

            await Assertions.Expect(page.Locator("main")).ToContainTextAsync("web1 on daemon1: paused");
            Assert.Equal(loaded, await page.EvaluateAsync<double>("performance.timeOrigin"));
        }
    }

    [Fact]
    public async Task Tunnels_PlotRxAndTxOverTimeWithTheP95AndTheLimit()
    {
        await using var cluster = await StartCollectorAsync(openReads: true, settings: new(StringComparer.Ordinal) { ["Collector:Tunnels:daemon1/he-ipv6:Limit"] = "10Mbit" });
        using var agent = cluster.Channel("daemon1");
        var snapshot = Web1(DomainState.Running);
        await SendAsync(agent, new AgentMessage { Snapshot = snapshot.Clone().WithCounters("he-ipv6", 1_000_000, 500_000) });
        foreach (var rx in new ulong[] { 7_000_000, 40_000_000, 52_000_000 })
        {
            cluster.Server.Clock.Advance(TimeSpan.FromMinutes(1));
            var counted = snapshot.Clone().WithCounters("he-ipv6", rx, 900_000);
            await SendAsync(agent, new AgentMessage { Heartbeat = new Heartbeat { HostName = "daemon1", ContentHash = ContentHash.Of(snapshot), Counters = counted.Counters } });
        }
        var (window, page) = await OpenAsync(cluster);
        await using (window)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "Tunnels" }).ClickAsync();

            var plot = page.Locator("svg.plot");
            await Assertions.Expect(plot).ToHaveCountAsync(1);
            var rx = await plot.Locator("path.rx").GetAttributeAsync("d");
            Assert.Equal(3, rx!.Split(' ').Length);
            await Assertions.Expect(plot.Locator("line.limit")).ToHaveCountAsync(1);
            await Assertions.Expect(plot.Locator("line.p95")).ToHaveCountAsync(1);
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync("limit 10.0 Mbit/s");
            Assert.True(await plot.BoundingBoxAsync() is { Width: > 100, Height: > 50 }, "the plot has no size on a phone's screen");
        }
    }

    [Fact]
    public async Task MyVms_ListsTheVmsOfTheOwnerGiven_AndRemembersWhoseAcrossAReload()
    {
        await using var cluster = await StartCollectorAsync(openReads: true);
        using var agent = cluster.Channel("daemon1");
        var snapshot = Web1(DomainState.Running);
        snapshot.Domains[0].Owner = "alice";
        snapshot.Domains[0].Title = "Alice's web server";
        snapshot.Domains.Add(Vm("db1", 2, DomainState.Running));
        snapshot.Domains[1].Owner = "bob";
        await SendAsync(agent, new AgentMessage { Snapshot = snapshot });
        var (window, page) = await OpenAsync(cluster);
        await using (window)
        {
            await page.GetByRole(AriaRole.Button, new() { Name = "My VMs" }).ClickAsync();
            await page.GetByLabel("Owner").FillAsync("alice");
            await page.GetByRole(AriaRole.Button, new() { Name = "Show my VMs" }).ClickAsync();
            await Assertions.Expect(page.Locator("main table")).ToContainTextAsync("web1");
            await Assertions.Expect(page.Locator("main table")).ToContainTextAsync("192.168.122.45");
            await Assertions.Expect(page.Locator("main table")).Not.ToContainTextAsync("db1");

            await page.ReloadAsync();

            await Assertions.Expect(page.Locator("main table")).ToContainTextAsync("web1");
            await page.GetByLabel("VM name, uuid, MAC or IP").FillAsync("web1");
            await page.Keyboard.PressAsync("Enter");
            await Assertions.Expect(page.Locator("main .labels")).ToHaveTextAsync("owner alice · Alice's web server");
        }
    }

    [Fact]
    public async Task WaitLink_ForAVmDefinedAfterThePageOpened_ShowsEachFamilyAsItArrives()
    {
        await using var cluster = await StartCollectorAsync(openReads: true);
        using var agent = cluster.Channel("daemon1");
        await SendAsync(agent, new AgentMessage { Snapshot = Web1(DomainState.Running) });
        var (window, page) = await OpenAsync(cluster, "/#wait/web5");
        await using (window)
        {
            await Assertions.Expect(page.Locator(".waiting")).ToContainTextAsync("Waiting for web5 to be defined on a host and get an address");

            var snapshot = Web1(DomainState.Running);
            snapshot.Domains.Add(Vm("web5", 5, DomainState.Running, NatNic("52:54:00:aa:00:05")));
            await SendAsync(agent, new AgentMessage { Snapshot = snapshot.Clone().WithLease("192.168.122.55", "52:54:00:aa:00:05", TimeSpan.FromHours(1)) });
            await Assertions.Expect(page.Locator(".waiting")).ToContainTextAsync("Waiting for an IPv6 address of web5");
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync("192.168.122.55");

            await SendAsync(agent, new AgentMessage
            {
                Snapshot = snapshot.WithLease("192.168.122.55", "52:54:00:aa:00:05", TimeSpan.FromHours(1))
                    .WithNeighbour("2001:db8:beef:1::55", "52:54:00:aa:00:05", NeighbourState.Reachable),
            });
            await Assertions.Expect(page.Locator(".waiting")).ToContainTextAsync("web5 has its addresses.");
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync("2001:db8:beef:1::55");
        }
    }

    [Fact]
    public async Task Search_ForAVmNotYetDefined_OffersToWaitForIt()
    {
        await using var cluster = await StartCollectorAsync(openReads: true);
        var (window, page) = await OpenAsync(cluster);
        await using (window)
        {
            await page.GetByLabel("VM name, uuid, MAC or IP").FillAsync("later");
            await page.Keyboard.PressAsync("Enter");
            await page.GetByRole(AriaRole.Button, new() { Name = "Wait for later" }).ClickAsync();

            await Assertions.Expect(page.Locator(".waiting")).ToContainTextAsync("Waiting for later to be defined on a host");
            Assert.EndsWith("#wait/later", page.Url, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task CopyButton_PutsTheAddressOnTheClipboard_AndTimesAreRelativeWithTheAbsoluteOnHover()
    {
        await using var cluster = await StartCollectorAsync(openReads: true, realClock: true);
        using var agent = cluster.Channel("daemon1");
        await SendAsync(agent, new AgentMessage
        {
            Snapshot = Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic(Mac1))).WithClubNetworks().WithNeighbour("192.168.122.45", Mac1, NeighbourState.Reachable),
        });
        var (window, page) = await OpenAsync(cluster);
        await using (window)
        {
            await page.GetByLabel("VM name, uuid, MAC or IP").FillAsync("web1");
            await page.Keyboard.PressAsync("Enter");
            await page.GetByRole(AriaRole.Button, new() { Name = "Copy 192.168.122.45" }).ClickAsync();

            Assert.Equal("192.168.122.45", await page.EvaluateAsync<string>("navigator.clipboard.readText()"));
            var confirmed = page.Locator("main td time").First;
            await Assertions.Expect(confirmed).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^\d+ s ago$"));
            Assert.False(string.IsNullOrEmpty(await confirmed.GetAttributeAsync("title")), "the absolute time is not on hover");
        }
    }

    [Fact]
    public async Task Alerts_BehindAReadersToken_ShownOnceSignedInForTheTabOnly()
    {
        await using var receiver = new Alerting.WebhookReceiver(LoopbackPort.Free());
        await receiver.StartAsync();
        // No open reads: without the token the page loads, but the collector answers nothing.
        await using var cluster = await StartCollectorAsync(settings: new(StringComparer.Ordinal)
        {
            ["Collector:Alerts:Sinks:hook:Type"] = "webhook",
            ["Collector:Alerts:Sinks:hook:Url"] = receiver.Url,
        });
        using var agent = cluster.Channel("daemon1");
        await SendAsync(agent, new AgentMessage { Snapshot = Web1(DomainState.Running) });
        await Eventually.HoldsAsync(() => receiver.Accepted.Count, n => n > 0, "the first alert delivered");
        var token = DaemonNet.Collector.Tokens.TokenList.Issue(cluster.Dir, "member", "reader", TimeSpan.FromDays(1), DateTimeOffset.UtcNow).Token;
        var (window, page) = await OpenAsync(cluster, "/#alerts");
        await using (window)
        {
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync("Alerts are shown to readers: sign in");
            await Assertions.Expect(page.Locator("#live")).ToContainTextAsync("sign in with a reader token");

            await page.Locator("summary", new() { HasText = "Sign in with a reader token" }).ClickAsync();
            await page.GetByLabel("Reader token (kept for this tab only)").FillAsync(token);
            await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();

            await Assertions.Expect(page.Locator("main table")).ToContainTextAsync("mac-first-seen");
            await page.AddScriptTagAsync(new() { Path = Axe });
            Assert.Empty(await page.EvaluateAsync<string[]>("async () => (await axe.run(document)).violations.map(v => `${v.id}: ${v.help}`)"));
            await Assertions.Expect(page.Locator("#live")).ToHaveTextAsync("live: following the cluster's changes");
            await Assertions.Expect(page.Locator("#signed-in")).ToContainTextAsync(token.Split('_')[1]);
            await page.GetByRole(AriaRole.Link, new() { Name = Mac1 }).First.ClickAsync();
            await Assertions.Expect(page.Locator("main h2")).ToHaveTextAsync($"History of {Mac1}");

            // Another tab of the same browser has its own session: it is not signed in.
            var other = await page.Context.NewPageAsync();
            await other.GotoAsync(cluster.Server.Url.TrimEnd('/') + "/#alerts");
            await Assertions.Expect(other.Locator("main")).ToContainTextAsync("Alerts are shown to readers: sign in");

            await page.GetByRole(AriaRole.Button, new() { Name = "Sign out" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { Name = "Alerts" }).ClickAsync();
            await Assertions.Expect(page.Locator("main")).ToContainTextAsync("needs a certificate of the cluster or a reader's bearer token");
        }
    }

    [Fact]
    public async Task History_ZoomedToTheLastDay_LeavesOutIntervalsThatEndedBefore()
    {
        // The collector's clock stands a month back: what ended then is not in the last day.
        await using var cluster = await StartCollectorAsync(openReads: true);
        using var agent = cluster.Channel("daemon1");
        await SendAsync(agent, new AgentMessage { Snapshot = Web1(DomainState.Running) });
        cluster.Server.Clock.Advance(TimeSpan.FromMinutes(1));
        await SendAsync(agent, new AgentMessage { Snapshot = Web1(DomainState.Paused) });
        var (window, page) = await OpenAsync(cluster, "/#history/web1");
        await using (window)
        {
            var timeline = page.Locator("ol.timeline");
            await Assertions.Expect(timeline).ToContainTextAsync("web1 running");
            await Assertions.Expect(timeline).ToContainTextAsync("web1 paused");
            Assert.Equal(await timeline.Locator("li").CountAsync(), await timeline.Locator("li .bar").CountAsync());

            await page.GetByRole(AriaRole.Button, new() { Name = "Last day" }).ClickAsync();

            await Assertions.Expect(timeline).Not.ToContainTextAsync("web1 running");
            await Assertions.Expect(timeline).ToContainTextAsync("web1 paused");
            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "Last day" })).ToHaveAttributeAsync("aria-pressed", "true");
        }
    }

    [Fact]
    public async Task Audit_FilteredBySeverity_ShowsOnlyWhatIsAsSevere()
    {
        await using var cluster = await StartCollectorAsync(openReads: true);
        using var agent = cluster.Channel("daemon1");
        await SendAsync(agent, new AgentMessage { Snapshot = Web1(DomainState.Running) });
        var (window, page) = await OpenAsync(cluster, "/#audit");
        await using (window)
        {
            var rows = page.Locator("main tbody tr");
            await Assertions.Expect(rows.First).ToBeVisibleAsync();
            var all = await rows.CountAsync();

            await page.GetByRole(AriaRole.Button, new() { Name = "critical and above" }).ClickAsync();

            await Assertions.Expect(page.GetByRole(AriaRole.Button, new() { Name = "critical and above" })).ToHaveAttributeAsync("aria-pressed", "true");
            var critical = await page.Locator("main tbody tr .severity-critical").CountAsync();
            Assert.Equal(critical, await rows.CountAsync());
            Assert.True(critical < all, $"all {all} findings are critical: the filter is not shown to work");
        }
    }

    /// <summary>axe-core from the npm registry, pinned and installed for the tests only by scripts/prerequisites.sh; never served.</summary>
    private const string Axe = "/opt/daemonnet-test-tools/node_modules/axe-core/axe.min.js";

    [Theory]
    [InlineData("/")]
    [InlineData("/#where/web1")]
    [InlineData("/#history/web1")]
    [InlineData("/#hosts")]
    [InlineData("/#vms")]
    [InlineData("/#mine")]
    [InlineData("/#tunnels")]
    [InlineData("/#audit")]
    [InlineData("/#wait/web5")]
    [InlineData("/#alerts")]
    public async Task EveryView_HasNoAccessibilityViolations_InLightAndDarkColours(string path)
    {
        await using var cluster = await StartCollectorAsync(openReads: true);
        using var agent = cluster.Channel("daemon1");
        await SendAsync(agent, new AgentMessage { Snapshot = Web1(DomainState.Running) });
        var (window, page) = await OpenAsync(cluster, path);
        await using (window)
        {
            await page.AddScriptTagAsync(new() { Path = Axe });
            var violations = new List<string>();
            foreach (var scheme in new[] { ColorScheme.Light, ColorScheme.Dark })
            {
                await page.EmulateMediaAsync(new() { ColorScheme = scheme });
                if (path.Length > 2)
                {
                    await page.Locator($"main[data-shown='{path[2..].Split('/')[0]}']").WaitForAsync();
                }
                var found = await page.EvaluateAsync<string[]>(
                    "async () => (await axe.run(document)).violations.map(v => `${v.id}: ${v.help} (${v.nodes.map(n => n.target.join(' ')).join(', ')})`)");
                violations.AddRange(found.Select(v => $"{scheme}: {v}"));
            }

            Assert.Empty(violations);
        }
    }

    [Fact]
    public async Task OnA360PixelPhone_TheAnswersAddressIsVisibleWithoutScrolling_AndTheWaitViewIsPicturedOnPhoneAndDesktop()
    {
        await using var cluster = await StartCollectorAsync(openReads: true, realClock: true);
        using var agent = cluster.Channel("daemon1");
        var snapshot = Host("daemon1", Vm("web1", 1, DomainState.Running, NatNic(Mac1))).WithClubNetworks().WithNeighbour("192.168.122.45", Mac1, NeighbourState.Reachable);
        snapshot.Domains[0].Owner = "alice";
        snapshot.Domains[0].Title = "Alice's web server";
        await SendAsync(agent, new AgentMessage { Snapshot = snapshot });
        var (window, page) = await OpenAsync(cluster, "/#wait/web1");
        await using (window)
        {
            await page.SetViewportSizeAsync(360, 740);
            var address = page.GetByRole(AriaRole.Button, new() { Name = "Copy 192.168.122.45" });
            await Assertions.Expect(address).ToBeVisibleAsync(new() { Timeout = 15_000 });

            var box = await address.BoundingBoxAsync();
            Assert.True(box is { X: >= 0 } && box.X + box.Width <= 360, $"the address's copy button is at x={box?.X}, width {box?.Width}: off a 360-pixel screen");
            Assert.Equal(360, await page.EvaluateAsync<int>("document.documentElement.scrollWidth"));
            // DAEMONNET_SCREENSHOT_DIR=docs/images refreshes the README's pictures (docs/DEVELOPMENT.md).
            using var folder = new TempDirectory();
            var pictures = Environment.GetEnvironmentVariable("DAEMONNET_SCREENSHOT_DIR") is { Length: > 0 } wanted ? wanted : folder.Path;
            var phone = await page.ScreenshotAsync(new() { Path = Path.Combine(pictures, "wait-phone.png"), FullPage = true });
            await page.SetViewportSizeAsync(1280, 720);
            var desktop = await page.ScreenshotAsync(new() { Path = Path.Combine(pictures, "wait-desktop.png") });
            Assert.True(phone.Length > 10_000, $"the phone screenshot has only {phone.Length} bytes");
            Assert.True(desktop.Length > phone.Length / 2, $"the desktop screenshot has only {desktop.Length} bytes");
        }
    }
}
