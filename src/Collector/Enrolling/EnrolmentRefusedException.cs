using Grpc.Core;

namespace DaemonNet.Collector.Enrolling;

/// <summary>Why an enrolment is refused, as the sentence the host prints and the status it maps to.</summary>
public sealed class EnrolmentRefusedException(StatusCode status, string message) : Exception(message)
{
    public StatusCode Status { get; } = status;
}
