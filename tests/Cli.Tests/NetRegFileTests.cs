using DaemonNet.Tests.Support;

namespace DaemonNet.Cli.Tests;

public sealed class NetRegFileTests : IDisposable
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
        Assert.Equal(["52:54:00:ab:01:01"], NetRegFile.Read(Write("mac\n52:54:00:ab:01:01\n")).Select(e => e.Mac), StringComparer.Ordinal);
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

    [Fact]
    public void Read_MoreEntriesThanAnAuditAccepts_StopsAtTheFirstLineTooMany()
    {
        var path = folder.File("netreg.csv");
        using (var writer = new StreamWriter(path))
        {
            writer.Write("mac\n");
            for (var i = 0; i <= NetRegFile.MaxEntries; i++)
            {
                writer.Write($"52:54:00:{i >> 16 & 0xff:x2}:{i >> 8 & 0xff:x2}:{i & 0xff:x2}\n");
            }
        }

        var error = Assert.Throws<FormatException>(() => NetRegFile.Read(path));

        Assert.Equal($"{path} line {NetRegFile.MaxEntries + 2}: more than 100,000 registrations, the most an audit accepts; split the list, or audit the forward-bridge MACs of fewer hosts", error.Message);
    }

    [Fact]
    public void Read_HugeLineWithoutAnEnd_IsRefusedBeforeItIsInMemory()
    {
        var path = folder.File("netreg.csv");
        using (var writer = new StreamWriter(path))
        {
            writer.Write("mac\n");
            writer.Write(new string('a', 20 * 1024 * 1024));
        }

        var error = Assert.Throws<FormatException>(() => NetRegFile.Read(path));

        Assert.Equal($"{path} line 2: longer than 4,096 characters; a NetReg file has one short row per registration", error.Message);
    }
}
