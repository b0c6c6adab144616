using Xunit.Abstractions;
using Xunit.Sdk;

[assembly: Xunit.TestCollectionOrderer("DaemonNet.EndToEnd.Tests.LongRunningFirst", "DaemonNet.EndToEnd.Tests")]

namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// Orders the test collections so that the classes marked <see cref="LongRunningAttribute"/> start
/// first; the others keep xunit's order. Each class is a collection of its own unless it names one.
/// </summary>
public sealed class LongRunningFirst : ITestCollectionOrderer
{
    private const string ClassCollection = "Test collection for ";

    public IEnumerable<ITestCollection> OrderTestCollections(IEnumerable<ITestCollection> testCollections) =>
        testCollections.OrderBy(collection => IsLongRunning(collection) ? 0 : 1);

    private static bool IsLongRunning(ITestCollection collection) =>
        collection.DisplayName.StartsWith(ClassCollection, StringComparison.Ordinal)
        && typeof(LongRunningFirst).Assembly.GetType(collection.DisplayName[ClassCollection.Length..]) is { } type
        && type.IsDefined(typeof(LongRunningAttribute), inherit: false);
}
