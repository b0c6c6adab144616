namespace DaemonNet.Collector.Tests;

public class CollectorOptionsTests
{
    [Theory]
    [InlineData("0.0.0.0:7460", "0.0.0.0:7460")]
    [InlineData("127.0.0.1:0", "127.0.0.1:0")]
    [InlineData("[::1]:7460", "[::1]:7460")]
    [InlineData("*:7460", "[::]:7460")]
    [InlineData("localhost:7460", "127.0.0.1:7460")]
    public void TryParseListen_HostAndPort_GivesTheEndPoint(string text, string expected)
    {
        Assert.True(CollectorOptions.TryParseListen(text, out var endPoint));
        Assert.Equal(expected, endPoint.ToString());
    }

    [Theory]
    [InlineData("7460")]
    [InlineData("collector.example:7460")]
    [InlineData("0.0.0.0:99999")]
    [InlineData("0.0.0.0:")]
    public void Validate_BadListen_NamesTheSettingAndAnExample(string listen)
    {
        var result = new CollectorOptionsValidator().Validate(null, new CollectorOptions { Listen = listen });

        Assert.StartsWith($"Collector:Listen (--listen) '{listen}' is not HOST:PORT", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_BadStaleAfter_NamesTheSetting()
    {
        var result = new CollectorOptionsValidator().Validate(null, new CollectorOptions { StaleAfter = "soon" });

        Assert.StartsWith("Collector:StaleAfter (--stale-after) 'soon' is not a duration", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_BadAlertSettings_NameEachSettingAndWhatIsWrong()
    {
        var options = new CollectorOptions();
        options.Alerts.Sinks["ops"] = new Collector.Alerting.AlertSinkOptions { Type = "webhook", Url = "ftp://hooks.example", SecretFile = "/nonexistent/secret" };
        options.Alerts.Sinks["logs"] = new Collector.Alerting.AlertSinkOptions { Type = "syslog", Address = "udp://logs.example", Facility = "local9" };
        options.Alerts.Sinks["admins"] = new Collector.Alerting.AlertSinkOptions { Type = "mail", Relay = "smtp.example:25", From = "not an address", To = ["admins@club.example"] };
        options.Alerts.Sinks["pager"] = new Collector.Alerting.AlertSinkOptions { Type = "sms" };
        options.Alerts.Rules.Add(new Collector.Alerting.AlertRuleOptions { When = ["mac-first-seen", "mac-first-sighting"], Sinks = ["ops", "teams"], MinSeverity = "urgent" });
        options.Alerts.WatchList.Add("52:54:00:zz:00:01");

        var failures = new CollectorOptionsValidator().Validate(null, options).Failures!.ToList();

        Assert.Equal(
        [
            "Collector:Alerts:WatchList entry '52:54:00:zz:00:01' is neither a MAC (52:54:00:12:34:56) nor an IP address",
            "Collector:Alerts:Sinks:ops:Url 'ftp://hooks.example' is not an http:// or https:// URL",
            "Collector:Alerts:Sinks:ops:SecretFile '/nonexistent/secret' does not exist: write the webhook's shared secret there (e.g. openssl rand -hex 32 > /nonexistent/secret)",
            "Collector:Alerts:Sinks:logs:Address 'udp://logs.example' is not udp://HOST:PORT, tcp://HOST:PORT or unix:///PATH",
            "Collector:Alerts:Sinks:logs:Facility 'local9' is not a syslog facility: use daemon, user, local0 … local7, …",
            "Collector:Alerts:Sinks:admins:From 'not an address' is not a mail address",
            "Collector:Alerts:Sinks:pager:Type 'sms' is not webhook, syslog or mail",
            "Collector:Alerts:Rules:0:When names 'mac-first-sighting', which is no alert; the alerts are " + string.Join(", ", Protos.V1.AlertRules.All.Select(r => r.Name)),
            "Collector:Alerts:Rules:0:Sinks names 'teams', which Collector:Alerts:Sinks does not define",
            "Collector:Alerts:Rules:0:MinSeverity 'urgent' is not info, warning or critical",
        ], failures);
    }
}
