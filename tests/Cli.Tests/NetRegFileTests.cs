using DaemonNet.Tests.Support;

namespace DaemonNet.Cli.Tests;

public class NetRegFileTests : IDisposable
{
    private readonly TempDirectory folder = new();

    public void Dispose() => folder.Dispose();

    private string Write(string text)
    {
        var path = folder.File("netreg.csv");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Read_HeaderInAnyOrderAndCase_NormalisesMacsAndKeepsHostnames()
    {
        var path = Write("# exported from NetReg\nOwner,Hostname,MAC\n\"Club, e.V.\",web1,52-54-00-AB-01-01\nclub,,52:54:00:ab:01:02\n\n");

        var entries = NetRegFile.Read(path);

        Assert.Equal([("52:54:00:ab:01:01", "web1"), ("52:54:00:ab:01:02", "")], entries.Select(e => (e.Mac, e.Hostname)));
    }

    [Fact]
    public void Read_MacColumnOnly_IsEnough()
    {
        Assert.Equal(["52:54:00:ab:01:01"], NetRegFile.Read(Write("mac\n52:54:00:ab:01:01\n")).Select(e => e.Mac));
    }

    [Theory]
    [InlineData("hostname,address\nweb1,52:54:00:ab:01:01\n", "line 1: the header names no \"mac\" column")]
    [InlineData("mac,hostname\n52:54:00:ab:01,web1\n", "line 2: '52:54:00:ab:01' is not a MAC address")]
    [InlineData("mac,hostname\n\"52:54:00:ab:01:01,web1\n", "line 2: a quoted field is not closed")]
    [InlineData("hostname,mac\nweb1\n", "line 2: '' is not a MAC address")]
    [InlineData("# nothing\n\n", "is empty: it needs a header row naming a \"mac\" column")]
    public void Read_BadFile_SaysWhichLineAndWhat(string text, string expected)
    {
        var path = Write(text);

        var error = Assert.Throws<FormatException>(() => NetRegFile.Read(path));

        Assert.Contains(expected, error.Message);
        Assert.StartsWith(path, error.Message);
    }

    [Fact]
    public void Read_MissingFile_SaysSo()
    {
        var error = Assert.Throws<FormatException>(() => NetRegFile.Read(folder.File("nope.csv")));

        Assert.StartsWith("cannot read the NetReg file", error.Message);
    }
}
