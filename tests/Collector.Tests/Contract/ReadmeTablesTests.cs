using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using DaemonNet.Tests.Support;

namespace DaemonNet.Collector.Tests.Contract;

/// <summary>The documents' tables that the code also holds are generated from the code: a failure prints the table to paste.</summary>
public class ReadmeTablesTests
{
    private static string Document(string name) => File.ReadAllText(Path.Combine(Programs.RepositoryRoot, "docs", name));

    [Fact]
    public void Configuration_LimitsTable_IsTheOneInTheCode()
    {
        Assert.True(Document("CONFIGURATION.md").Contains(WireLimits.Markdown(), StringComparison.Ordinal),
            "docs/CONFIGURATION.md's limits table differs from WireLimits; replace it with:\n" + WireLimits.Markdown());
    }

    [Fact]
    public void Cli_AuditRuleTable_IsTheOneInTheCode()
    {
        Assert.True(Document("CLI.md").Contains(AuditRules.Markdown(), StringComparison.Ordinal),
            "docs/CLI.md's audit rule table differs from AuditRules; replace it with:\n" + AuditRules.Markdown());
    }

    [Fact]
    public void Alerts_AlertTable_IsTheOneInTheCode()
    {
        Assert.True(Document("ALERTS.md").Contains(AlertRules.Markdown(), StringComparison.Ordinal),
            "docs/ALERTS.md's alert table differs from AlertRules; replace it with:\n" + AlertRules.Markdown());
    }
}
