using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;

namespace DaemonNet.Collector.Ingestion;

/// <summary>
/// Checks an agent's message before anything of it is stored: every field against the contract's
/// limits (<see cref="WireLimits"/>), then what the limits cannot say, and answers in one sentence
/// what is wrong and where.
/// </summary>
public static class AgentMessageValidator
{
    public static string? Problem(AgentMessage message) =>
        MessageValidator.Problem(message) ?? message.BodyCase switch
        {
            AgentMessage.BodyOneofCase.Snapshot when message.Snapshot.Host is null => "snapshot.host is missing: a snapshot names its host",
            AgentMessage.BodyOneofCase.None => "the message carries neither a snapshot nor a heartbeat",
            _ => null,
        };
}
