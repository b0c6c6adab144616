using DaemonNet.Collector.Answers;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Watching;

namespace DaemonNet.Collector.Tests.Watching;

public class ChangeFeedTests
{
    private static ChangeEvent Bound(string ip) => new(ChangeKind.AddressBound, "daemon1", 0)
    {
        Mac = "52:54:00:aa:00:01", Binding = new BindingFact("52:54:00:aa:00:01", ip, 1, "virbr0", 0, "", "", null),
    };

    [Fact]
    public async Task Publish_AWatcherThatDoesNotRead_IsDroppedAtTheBoundAndNobodyWaits()
    {
        var feed = new ChangeFeed();
        using var slow = feed.Subscribe(null);
        using var keeping = feed.Subscribe(InventoryQuery.Parse("10.0.0.1"));

        for (var i = 0; i <= ChangeFeed.QueueLength; i++)
        {
            feed.Publish([Bound($"10.0.{i / 250}.{i % 250 + 2}")]);
        }
        feed.Publish([Bound("10.0.0.1")]);

        var items = new List<ChangeEvent>();
        var failure = await Record.ExceptionAsync(async () =>
        {
            await foreach (var e in slow.Events.ReadAllAsync())
            {
                items.Add(e);
            }
        });
        Assert.IsType<FellBehindException>(failure);
        Assert.Equal(ChangeFeed.QueueLength, items.Count);
        Assert.Equal(1, feed.WatcherCount);
        Assert.True(keeping.Events.TryRead(out var wanted));
        Assert.Equal("10.0.0.1", wanted.Binding!.Ip);
        Assert.False(keeping.Events.TryRead(out _));
    }

    [Fact]
    public void Watcher_Disposed_IsNoLongerFed()
    {
        var feed = new ChangeFeed();
        var watcher = feed.Subscribe(null);

        watcher.Dispose();

        Assert.Equal(0, feed.WatcherCount);
    }
}
