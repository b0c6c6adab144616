using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using DaemonNet.Tests.Support;

namespace DaemonNet.Collector.Tests.Contract;

/// <summary>The README's tables that the code also holds are generated from the code: a failure prints the table to paste.</summary>
public class ReadmeTablesTests
{
    private static readonly string Readme = File.ReadAllText(Path.Combine(Programs.RepositoryRoot, "README.md"));

    [Fact]
    public void Readme_LimitsTable_IsTheOneInTheCode()
    {
        Assert.True(Readme.Contains(WireLimits.Markdown(), StringComparison.Ordinal),
            "README.md's limits table differs from WireLimits; replace it with:\n" + WireLimits.Markdown());
    }

    [Fact]
    public void Readme_AuditRuleTable_IsTheOneInTheCode()
    {
        Assert.True(Readme.Contains(AuditRules.Markdown(), StringComparison.Ordinal),
            "README.md's audit rule table differs from AuditRules; replace it with:\n" + AuditRules.Markdown());
    }

    [Fact]
    public void Readme_AlertTable_IsTheOneInTheCode()
    {
        Assert.True(Readme.Contains(AlertRules.Markdown(), StringComparison.Ordinal),
            "README.md's alert table differs from AlertRules; replace it with:\n" + AlertRules.Markdown());
    }
}
