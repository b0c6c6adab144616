namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// The load and crash tests saturate both cores on purpose. They run by themselves, after the
/// rest, so they neither starve the other tests' agents nor are starved by them.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class HeavyTests
{
    public const string Name = "heavy";
}
