namespace DaemonNet.HostAgent.Tests;

public class AgentOptionsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        Assert.True(new AgentOptionsValidator().Validate(null, new AgentOptions()).Succeeded);
    }

    [Theory]
    [InlineData("10", "Agent:Interval (--interval) '10' is not a duration")]
    [InlineData("50ms", "Agent:Interval (--interval) '50ms' is not a duration of at least 100ms")]
    public void Validate_BadInterval_NamesTheSettingAndTheAcceptedForms(string interval, string expected)
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { Interval = interval });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(expected, failure);
        Assert.Contains("500ms, 10s, 5m", failure);
    }

    [Fact]
    public void Validate_CollectorNotAUrl_NamesTheSetting()
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { Collector = "collector:7460" });

        Assert.StartsWith("Agent:Collector (--collector) 'collector:7460' is not an http:// or https:// URL", Assert.Single(result.Failures!));
    }
}
