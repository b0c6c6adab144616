namespace DaemonNet.HostAgent.Sources;

/// <summary>A source could not read what it reads; the message is shown to admins as it is.</summary>
public sealed class SourceException(string message, Exception? inner = null) : Exception(message, inner);
