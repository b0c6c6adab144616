using System.Security.Cryptography.X509Certificates;
using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Tests.Support;

namespace DaemonNet.Collector.Tests.Certificates;

public sealed class ClusterCertificatesTests : IDisposable
{
    private static readonly DateTimeOffset Now = DateTimeOffset.UtcNow;
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    [Fact]
    public void Init_NewFolder_WritesTheCaAndACollectorCertificateForTheGivenAddresses()
    {
        var written = ClusterCertificates.Init(folder.Path, ["collector.example", "10.99.0.1"], TimeSpan.FromDays(30), Now);

        Assert.Equal(["ca.pem", "ca-key.pem", "collector.pem", "collector-key.pem"], written.Select(Path.GetFileName), StringComparer.Ordinal);
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

    [Theory]
    [InlineData("ca", "agent", "the name 'ca' is reserved")]
    [InlineData("ca-key", "agent", "the name 'ca-key' is reserved")]
    [InlineData("daemon1-key", "reader", "the name 'daemon1-key' is reserved")]
    [InlineData("collector", "reader", "the name 'collector' and the role 'collector' go together")]
    [InlineData("daemon9", "collector", "the name 'collector' and the role 'collector' go together")]
    public void Issue_ReservedName_IsRefusedAndTouchesNoFile(string name, string role, string expected)
    {
        ClusterCertificates.Init(folder.Path, [], TimeSpan.FromDays(30), Now);
        var before = Snapshot();

        var error = Assert.Throws<ArgumentException>(() => ClusterCertificates.Issue(folder.Path, name, role, [], TimeSpan.FromDays(30), Now));

        Assert.StartsWith(expected, error.Message);
        Assert.Equal(before, Snapshot());
        using var ca = X509Certificate2.CreateFromPemFile(folder.File("ca.pem"), folder.File("ca-key.pem"));
        Assert.True(ca.HasPrivateKey);
    }

    [Fact]
    public void Issue_NameTooLongForItsKeyFile_IsRefusedBeforeWritingEitherFile()
    {
        ClusterCertificates.Init(folder.Path, [], TimeSpan.FromDays(30), Now);
        var before = Snapshot();

        var error = Assert.Throws<ArgumentException>(() => ClusterCertificates.Issue(folder.Path, string.Join('.', Enumerable.Repeat(new string('a', 62), 4)), "agent", [], TimeSpan.FromDays(30), Now));

        Assert.Contains("at most 247 characters", error.Message);
        Assert.Equal(before, Snapshot());
    }

    [Fact]
    public void Issue_LongestName_WritesTheWholePair()
    {
        ClusterCertificates.Init(folder.Path, [], TimeSpan.FromDays(30), Now);
        var name = string.Join('.', new string('a', ClusterCertificates.MaxNameLength).Chunk(63).Select(c => new string(c)))[..ClusterCertificates.MaxNameLength];

        ClusterCertificates.Issue(folder.Path, name, "agent", [], TimeSpan.FromDays(30), Now);

        using var pair = X509Certificate2.CreateFromPemFile(folder.File(name + ".pem"), folder.File(name + "-key.pem"));
        Assert.True(pair.HasPrivateKey);
        Assert.DoesNotContain(Directory.GetFiles(folder.Path), f => Path.GetFileName(f).StartsWith(".tmp-", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("daemon1.pem", "is not a certificate; refusing to overwrite it")]
    [InlineData("daemon1-key.pem", "is not a private key; refusing to overwrite it")]
    public void Issue_OverAFileOfAnotherKind_RefusesAndKeepsIt(string file, string expected)
    {
        ClusterCertificates.Init(folder.Path, [], TimeSpan.FromDays(30), Now);
        File.WriteAllText(folder.File(file), "precious notes\n");

        var error = Assert.Throws<InvalidOperationException>(() => ClusterCertificates.Issue(folder.Path, "daemon1", "agent", [], TimeSpan.FromDays(30), Now));

        Assert.Contains(expected, error.Message);
        Assert.Equal("precious notes\n", File.ReadAllText(folder.File(file)));
    }

    [Fact]
    public void Issue_OverACertificateOfAnotherCa_RefusesAndKeepsIt()
    {
        ClusterCertificates.Init(folder.Path, [], TimeSpan.FromDays(30), Now);
        using var other = new TempDirectory();
        ClusterCertificates.Init(other.Path, [], TimeSpan.FromDays(30), Now);
        ClusterCertificates.Issue(other.Path, "daemon1", "agent", [], TimeSpan.FromDays(30), Now);
        File.Copy(other.File("daemon1.pem"), folder.File("daemon1.pem"));

        var error = Assert.Throws<InvalidOperationException>(() => ClusterCertificates.Issue(folder.Path, "daemon1", "agent", [], TimeSpan.FromDays(30), Now));

        Assert.Contains("is not a certificate this cluster's CA issued", error.Message);
        Assert.Equal(File.ReadAllText(other.File("daemon1.pem")), File.ReadAllText(folder.File("daemon1.pem")));
    }

    [Fact]
    public void ReissueAndRevoke_AreListedWithTheirState()
    {
        ClusterCertificates.Init(folder.Path, [], TimeSpan.FromDays(30), Now);
        ClusterCertificates.Issue(folder.Path, "daemon1", "agent", [], TimeSpan.FromDays(30), Now);
        var first = X509CertificateLoader.LoadCertificateFromFile(folder.File("daemon1.pem")).SerialNumber;
        ClusterCertificates.Issue(folder.Path, "daemon1", "agent", [], TimeSpan.FromDays(30), Now);
        ClusterCertificates.Issue(folder.Path, "alice", "reader", [], TimeSpan.FromDays(30), Now);
        ClusterCertificates.Revoke(folder.Path, "alice", Now);

        var listed = ClusterCertificates.List(folder.Path);

        Assert.Equal(
            [("alice", "reader", true, true), ("collector", "collector", false, true), ("daemon1", "agent", false, true), ("daemon1", "agent", true, false)],
            listed.Select(c => (c.Name, c.Role, c.RevokedAt is not null, c.NotAfter is not null)).OrderBy(c => c.Name, StringComparer.Ordinal).ThenBy(c => c.Item3));
        Assert.Contains(listed, c => c.Serial == first && c.RevokedAt is not null);
        Assert.Equal(2, RevocationList.Read(ClusterCertificates.RevocationPath(folder.Path)).Count);
    }

    [Fact]
    public void Revoke_TheCa_IsRefused()
    {
        ClusterCertificates.Init(folder.Path, [], TimeSpan.FromDays(30), Now);

        Assert.Throws<ArgumentException>(() => ClusterCertificates.Revoke(folder.Path, "ca", Now));
    }

    private Dictionary<string, string> Snapshot() =>
        Directory.GetFiles(folder.Path).ToDictionary(f => Path.GetFileName(f), File.ReadAllText, StringComparer.Ordinal);
}
