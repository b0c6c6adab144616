using CsCheck;
using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Tests.Storage;

public class InventoryQueryTests
{
    [Theory]
    [InlineData("web1", QueryKind.Name, "web1")]
    [InlineData(" web1 ", QueryKind.Name, "web1")]
    [InlineData("52:54:00:AB:01:01", QueryKind.Mac, "52:54:00:ab:01:01")]
    [InlineData("52-54-00-ab-01-01", QueryKind.Mac, "52:54:00:ab:01:01")]
    [InlineData("5F0C8A52-0001-4A5E-9C1E-000000000001", QueryKind.Uuid, "5f0c8a52-0001-4a5e-9c1e-000000000001")]
    [InlineData("192.168.122.45", QueryKind.Ip, "192.168.122.45")]
    [InlineData("2001:DB8::45", QueryKind.Ip, "2001:db8::45")]
    [InlineData("12", QueryKind.Name, "12")]
    [InlineData("10.1", QueryKind.Name, "10.1")]
    public void Parse_Text_IsClassifiedAndNormalised(string text, QueryKind kind, string value)
    {
        Assert.Equal(new InventoryQuery(kind, value), InventoryQuery.Parse(text));
    }

    [Fact]
    public void Parse_AnyText_NeverThrows()
    {
        Gen.String.Sample(text => { InventoryQuery.Parse(text); }, iter: 20_000);
    }
}
