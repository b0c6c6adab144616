namespace DaemonNet.EndToEnd.Tests;

/// <summary>
/// A test class whose tests, one after the other, take minutes: <see cref="LongRunningFirst"/>
/// starts it before the others, so that the parallel part of the suite does not end waiting for it
/// alone while the heavy tests, which run only after, wait too.
/// </summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class LongRunningAttribute : Attribute;
