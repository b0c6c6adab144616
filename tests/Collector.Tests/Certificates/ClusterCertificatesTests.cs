using System.Security.Cryptography.X509Certificates;
using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;

namespace DaemonNet.Collector.Tests.Certificates;

public class ClusterCertificatesTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Init_NewFolder_WritesTheCaAndACollectorCertificateForTheGivenAddresses()
    {
        var written = ClusterCertificates.Init(folder.Path, ["collector.example", "10.99.0.1"], TimeSpan.FromDays(30), Now);

        Assert.Equal(["ca.pem", "ca-key.pem", "collector.pem", "collector-key.pem"], written.Select(Path.GetFileName));
        using var ca = X509CertificateLoader.LoadCertificateFromFile(folder.File("ca.pem"));
        using var collector = X509CertificateLoader.LoadCertificateFromFile(folder.File("collector.pem"));
        Assert.True(ClusterTrust.IsIssuedBy(collector, ca, out var problem), problem);
        Assert.Equal(("collector", "collector"), ClusterTrust.Identity(collector));
        Assert.True(collector.MatchesHostname("collector.example"));
        Assert.True(collector.MatchesHostname("10.99.0.1"));
        Assert.True(collector.MatchesHostname("localhost"));
    }

    [Fact]
    public void Issue_Agent_NamesItsHostAndRoleAndKeepsTheKeyPrivate()
    {
        ClusterCertificates.Init(folder.Path, [], TimeSpan.FromDays(30), Now);

        ClusterCertificates.Issue(folder.Path, "daemon1", "agent", [], TimeSpan.FromDays(30), Now);

        using var agent = X509CertificateLoader.LoadCertificateFromFile(folder.File("daemon1.pem"));
        Assert.Equal(("daemon1", "agent"), ClusterTrust.Identity(agent));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(folder.File("daemon1-key.pem")));
        Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(folder.File("ca-key.pem")));
    }

    [Fact]
    public void Init_FolderWithACa_RefusesToReplaceIt()
    {
        ClusterCertificates.Init(folder.Path, [], TimeSpan.FromDays(30), Now);
        var before = File.ReadAllText(folder.File("ca.pem"));

        var error = Assert.Throws<InvalidOperationException>(() => ClusterCertificates.Init(folder.Path, [], TimeSpan.FromDays(30), Now));

        Assert.Contains("exists already: a cluster has one CA", error.Message);
        Assert.Equal(before, File.ReadAllText(folder.File("ca.pem")));
    }

    [Theory]
    [InlineData("daemon1", "admin", "'admin' is not a role: use agent or reader")]
    [InlineData("bad name", "agent", "'bad name' is not a usable name")]
    public void Issue_BadNameOrRole_SaysWhy(string name, string role, string expected)
    {
        ClusterCertificates.Init(folder.Path, [], TimeSpan.FromDays(30), Now);

        var error = Assert.Throws<ArgumentException>(() => ClusterCertificates.Issue(folder.Path, name, role, [], TimeSpan.FromDays(30), Now));

        Assert.StartsWith(expected, error.Message);
    }

    [Fact]
    public void Issue_WithoutACa_SaysHowToCreateOne()
    {
        var error = Assert.Throws<InvalidOperationException>(() => ClusterCertificates.Issue(folder.Path, "daemon1", "agent", [], TimeSpan.FromDays(30), Now));

        Assert.Contains("create it with 'daemonnet-collector certs init", error.Message);
    }
}
