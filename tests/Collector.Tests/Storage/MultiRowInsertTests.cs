using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Tests.Storage;

public class MultiRowInsertTests
{
    private sealed record Fact(string Name, long? Expiry);

    [Fact]
    public void Statements_ThreeRowsTwoAStatement_NumberEachRowsParametersAndTypeItsNulls()
    {
        var shared = new Dictionary<string, object?>(StringComparer.Ordinal) { ["HostId"] = 7L };

        var statements = MultiRowInsert.Statements("INSERT INTO t (host_id, name, expiry) VALUES (@HostId, @Name, @Expiry)",
            [new Fact("a", 1), new Fact("b", null), new Fact("c", 3)], shared, rowsPerStatement: 2).ToList();

        Assert.Equal(["INSERT INTO t (host_id, name, expiry) VALUES (@HostId_0, @Name_0, @Expiry_0), (@HostId_1, @Name_1, @Expiry_1)",
                      "INSERT INTO t (host_id, name, expiry) VALUES (@HostId_0, @Name_0, @Expiry_0)"], statements.Select(s => s.Sql), StringComparer.Ordinal);
        var second = statements[0].Parameters;
        Assert.Equal((7L, "b", (long?)null), (second.Get<long>("HostId_1"), second.Get<string>("Name_1"), second.Get<long?>("Expiry_1")));
        Assert.Equal("c", statements[1].Parameters.Get<string>("Name_0"));
    }
}
