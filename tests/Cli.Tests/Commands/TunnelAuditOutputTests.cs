using DaemonNet.Cli.Commands;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;

namespace DaemonNet.Cli.Tests.Commands;

/// <summary>The human output of tunnels and audit, from replies built by hand.</summary>
public class TunnelAuditOutputTests
{
    private static readonly DateTimeOffset Now = DateTimeOffset.Parse("2026-11-28T12:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

    [Fact]
    public void Tunnels_PresentAndMissing_ShowRatesUtilisationAndDrift()
    {
        var reply = new TunnelsReply { CollectorTime = Timestamp.FromDateTimeOffset(Now), Since = Timestamp.FromDateTimeOffset(Now.AddHours(-1)) };
        var host = new HostTunnels { Host = new HostStatus { Name = "daemon1" } };
        host.NetworkPrefixes.Add("2001:470:7b3e:1::1/64");
        var he = new TunnelReport
        {
            Name = "he-ipv6", Kind = "sit", Local = "203.0.113.10", Remote = "216.66.80.26", Operstate = "UNKNOWN", Present = true,
            LimitBitsPerSecond = 100e6, RoutedPrefix = "2001:470:7b3e::/48",
            Traffic = new TrafficSummary { RxBitsPerSecond = 12.5e6, TxBitsPerSecond = 800e3, RxBytes = 3_500_000_000, TxBytes = 120_000, RxP95BitsPerSecond = 85e6, TxP95BitsPerSecond = 1e6 },
        };
        he.Prefixes.Add("2001:470:1f0a:a6f::2/64");
        var backup = new TunnelReport
        {
            Name = "he-backup", Kind = "v4tunnel", Remote = "184.105.253.14", Present = false,
            Configured = new ConfiguredInterface { File = "/etc/network/interfaces.d/backup", Line = 3 }, Traffic = new TrafficSummary(),
        };
        backup.Drift.Add(TunnelDrift.Missing);
        host.Tunnels.Add(he);
        host.Tunnels.Add(backup);
        reply.Hosts.Add(host);
        var output = new StringWriter();

        TunnelsCommand.WriteHuman(output, reply, utc: true);

        var lines = output.ToString().Split('\n');
        Assert.Equal("daemon1  network IPv6: 2001:470:7b3e:1::1/64", lines[2]);
        Assert.Matches(@"^  he-ipv6\s+sit\s+203\.0\.113\.10 → 216\.66\.80\.26\s+2001:470:1f0a:a6f::2/64, routed 2001:470:7b3e::/48\s+up\s+12\.5 Mbit/s\s+800 kbit/s\s+3\.3 GiB\s+117\.2 KiB\s+85 Mbit/s\s+1 Mbit/s\s+100 Mbit/s \(p95 85%\)\s+-$", lines[4]);
        Assert.Matches(@"^  he-backup\s+v4tunnel\s+any → 184\.105\.253\.14\s+-\s+absent(\s+-){7}\s+configured at /etc/network/interfaces.d/backup:3 but missing$", lines[5]);
    }

    [Fact]
    public void Audit_Findings_ShowSeverityEvidenceActionAndWhatWasHidden()
    {
        var reply = new AuditReply { CollectorTime = Timestamp.FromDateTimeOffset(Now) };
        var finding = new Finding { Rule = "duplicate-mac", Severity = Severity.Critical, Summary = "52:54:00:ab:01:01 is the MAC of 2 VMs", Action = "Give one a new MAC." };
        finding.Evidence.Add(new Evidence { Host = "daemon1", Source = "libvirt", Since = Timestamp.FromDateTimeOffset(Now.AddHours(-2)), Detail = "NIC of web1" });
        finding.Evidence.Add(new Evidence { Host = "daemon2", Source = "interfaces", Detail = "configured" });
        reply.Findings.Add(finding);
        var output = new StringWriter();

        AuditCommand.WriteHuman(output, reply, below: 2, Severity.Warning, utc: true);

        Assert.Equal(
            [
                "CRITICAL  duplicate-mac  52:54:00:ab:01:01 is the MAC of 2 VMs",
                "          daemon1 (libvirt since 2026-11-28 10:00:00Z): NIC of web1",
                "          daemon2 (interfaces): configured",
                "          → Give one a new MAC.",
                "1 finding: 1 critical; 2 below warning not shown (--min-severity info shows them).",
                "",
            ],
            output.ToString().Split('\n'));
    }

    [Fact]
    public void Audit_TwoWarnings_AreCountedInThePlural()
    {
        var reply = new AuditReply { CollectorTime = Timestamp.FromDateTimeOffset(Now) };
        reply.Findings.Add(new Finding { Rule = "host-silent", Severity = Severity.Critical, Summary = "a", Action = "b" });
        reply.Findings.Add(new Finding { Rule = "duplicate-ip", Severity = Severity.Warning, Summary = "c", Action = "d" });
        reply.Findings.Add(new Finding { Rule = "duplicate-ip", Severity = Severity.Warning, Summary = "e", Action = "f" });
        reply.Findings.Add(new Finding { Rule = "netreg-missing", Severity = Severity.Info, Summary = "g", Action = "h" });
        reply.Findings.Add(new Finding { Rule = "netreg-missing", Severity = Severity.Info, Summary = "i", Action = "j" });
        var output = new StringWriter();

        AuditCommand.WriteHuman(output, reply, below: 0, Severity.Info, utc: true);

        Assert.EndsWith("5 findings: 1 critical, 2 warnings, 2 info.", output.ToString().Trim());
    }

    [Fact]
    public void Audit_NoFindings_SaysSoForTheThreshold()
    {
        var output = new StringWriter();

        AuditCommand.WriteHuman(output, new AuditReply(), below: 0, Severity.Critical, utc: true);

        Assert.Equal("No findings at critical or above.", output.ToString().Trim());
    }
}
