using System.Text.Json;
using System.Text.Json.Serialization;
using DaemonNet.Collector.Query;
using DaemonNet.Collector.Storage;

namespace DaemonNet.Collector.Alerting;

/// <summary>
/// An alert as the store keeps it: a JSON document of the collector's own <see cref="Alert"/>
/// (without its id, repeats and deliveries, which the store keeps in columns and rows), so that a
/// change of the contract never changes what is stored. Alerts stored before this form are the
/// contract's protobuf; they are still read.
/// </summary>
public static partial class AlertDocument
{
    public static byte[] Write(Alert alert) => JsonSerializer.SerializeToUtf8Bytes(alert with { Id = 0, Repeats = 0, Deliveries = [] }, Documents.Default.Alert);

    /// <summary>An alert to record: the store keeps its rule and time in columns and the rest as its document.</summary>
    public static NewAlert New(Alert alert, string dedupKey, TimeSpan window, IReadOnlyList<string> sinks) =>
        new(alert.Rule, alert.At, Write(alert), dedupKey, window, sinks);

    /// <summary>The alert a document holds.</summary>
    /// <exception cref="JsonException">Neither a JSON document nor an earlier protobuf one.</exception>
    public static Alert Read(byte[] document)
    {
        if (document.Length > 0 && document[0] == (byte)'{')
        {
            return JsonSerializer.Deserialize(document, Documents.Default.Alert) ?? throw new JsonException("the alert document is null");
        }
        try
        {
            return AlertReplies.FromContract(Protos.V1.Alert.Parser.ParseFrom(document));
        }
        catch (Google.Protobuf.InvalidProtocolBufferException e)
        {
            throw new JsonException($"the alert document is neither JSON nor an earlier protobuf alert: {e.Message}", e);
        }
    }

    /// <summary>A stored alert, with its id, repeats and deliveries.</summary>
    public static Alert Read(StoredAlert stored) => Read(stored.Document) with
    {
        Id = stored.Id,
        Repeats = stored.Repeats,
        Deliveries = [.. stored.Deliveries.Select(d => new AlertDelivery(d.Sink, d.State, d.Attempts, d.LastError, d.DeliveredAt))],
    };

    [JsonSerializable(typeof(Alert))]
    [JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingDefault, UseStringEnumConverter = true)]
    private sealed partial class Documents : JsonSerializerContext;
}
