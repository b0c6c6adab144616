namespace DaemonNet.Collector.Alerting.Sinks;

/// <summary>
/// Somewhere an alert can be sent: one attempt per call, which either delivers or throws
/// <see cref="AlertSinkException"/>. A sink that holds a connection pool is also <see cref="IDisposable"/>.
/// </summary>
public interface IAlertSink
{
    Task SendAsync(Alert alert, CancellationToken cancellationToken);
}

/// <summary>An attempt that failed, with a sentence that says what the receiver did or why it could not be reached.</summary>
public sealed class AlertSinkException(string message, Exception? inner = null) : Exception(message, inner);
