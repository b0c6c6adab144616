namespace DaemonNet.HostAgent.Tests;

public class AgentOptionsValidatorTests
{
    private static AgentOptions WithTls() => new() { CaFile = "ca.pem", CertFile = "daemon1.pem", KeyFile = "daemon1-key.pem" };

    [Fact]
    public void Validate_DefaultsWithTlsFiles_Succeed()
    {
        Assert.True(new AgentOptionsValidator().Validate(null, WithTls()).Succeeded);
    }

    [Fact]
    public void Validate_NoTlsFilesAndNotInsecure_SaysHowToGetThem()
    {
        var failure = Assert.Single(new AgentOptionsValidator().Validate(null, new AgentOptions()).Failures!);

        Assert.StartsWith("Agent: mutual TLS needs --ca-file, --cert-file and --key-file", failure);
    }

    [Fact]
    public void Validate_InsecureWithPlainHttp_Succeeds()
    {
        Assert.True(new AgentOptionsValidator().Validate(null, new AgentOptions { Insecure = true, Collector = "http://10.0.0.1:7460" }).Succeeded);
    }

    [Theory]
    [InlineData("10", "Agent:Interval (--interval) '10' is not a duration")]
    [InlineData("50ms", "Agent:Interval (--interval) '50ms' is not a duration of at least 100ms and at most 1d")]
    [InlineData("2d", "Agent:Interval (--interval) '2d' is not a duration of at least 100ms and at most 1d")]
    public void Validate_BadInterval_NamesTheSettingAndTheAcceptedForms(string interval, string expected)
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { Interval = interval, Insecure = true, Collector = "http://10.0.0.1:7460" });

        var failure = Assert.Single(result.Failures!);
        Assert.StartsWith(expected, failure);
        Assert.Contains("500ms, 10s, 5m", failure);
    }

    [Fact]
    public void Validate_CollectorNotAUrl_NamesTheSetting()
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { Collector = "collector:7460", Insecure = true });

        Assert.StartsWith("Agent:Collector (--collector) 'collector:7460' is not an http:// or https:// URL", Assert.Single(result.Failures!));
    }

    [Fact]
    public void Validate_SeveralCollectors_ChecksEachAndNamesTheBadOne()
    {
        var options = new AgentOptions { Collector = "http://10.0.0.1:7460, https://10.0.0.2:7460,http://10.0.0.3:7460", Insecure = true };

        var result = new AgentOptionsValidator().Validate(null, options);

        Assert.Equal(["http://10.0.0.1:7460", "https://10.0.0.2:7460", "http://10.0.0.3:7460"], options.Collectors);
        Assert.StartsWith("Agent:Collector (--collector) 'https://10.0.0.2:7460' is https:// but --insecure", Assert.Single(result.Failures!));
    }

    [Theory]
    [InlineData("daemon1\n")]
    [InlineData("bad host")]
    [InlineData("a.label-longer-than-sixty-three-characters-which-no-dns-name-can-carry-at-all")]
    public void Validate_NameTheCollectorWouldRefuse_IsRefusedAtStart(string name)
    {
        var result = new AgentOptionsValidator().Validate(null, new AgentOptions { HostName = name, Insecure = true, Collector = "http://10.0.0.1:7460" });

        Assert.StartsWith("Agent:HostName (--host-name)", Assert.Single(result.Failures!));
    }
}
