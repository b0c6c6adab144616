namespace DaemonNet.Protos.Formats;

/// <summary>
/// How long a regular expression may take on one input before it gives up: the patterns here are
/// simple, and a bound keeps a hostile input (a host name, a MAC, a duration) from holding a thread.
/// </summary>
public static class RegexTimeout
{
    public const int Milliseconds = 1_000;

    public static readonly TimeSpan Duration = TimeSpan.FromMilliseconds(Milliseconds);
}
