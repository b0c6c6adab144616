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
}
