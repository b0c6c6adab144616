using DaemonNet.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector.Tests;

/// <summary>Where the collector's settings come from: the settings file it is given, and none in tests.</summary>
public class CollectorSettingsFileTests
{
    [Theory]
    [InlineData(true, "127.0.0.1:9469")]
    [InlineData(false, "")]
    public async Task Create_ReadsTheSettingsFileItIsGiven_AndNoneWithout(bool given, string expected)
    {
        using var folder = new TempDirectory();
        await File.WriteAllTextAsync(folder.File("collector.json"), """{ "Collector": { "MetricsListen": "127.0.0.1:9469" } }""");
        var overrides = new Dictionary<string, string?>(StringComparer.Ordinal) { ["Collector:Db"] = folder.File("collector.db"), ["Collector:Insecure"] = "true" };

        await using var app = CollectorApplication.Create(overrides, given ? folder.File("collector.json") : null);

        Assert.Equal(expected, app.Services.GetRequiredService<IOptions<CollectorOptions>>().Value.MetricsListen);
    }
}
