using DaemonNet.Collector.Alerting;
using DaemonNet.Collector.Storage;
using DaemonNet.Protos.V1;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;

namespace DaemonNet.Collector.Query;

/// <summary>The alerts raised and their delivery, and the test alert.</summary>
public sealed class AlertsService(IAlertStore store, AlertDispatcher dispatcher, TimeProvider time) : Alerts.AlertsBase
{
    public const int DefaultLimit = 50;

    public override async Task<ListAlertsReply> ListAlerts(ListAlertsRequest request, ServerCallContext context)
    {
        var alerts = await store.RecentAlertsAsync(request.Since?.ToDateTimeOffset(), request.Limit == 0 ? DefaultLimit : (int)request.Limit, context.CancellationToken);
        var reply = new ListAlertsReply { CollectorTime = Timestamp.FromDateTimeOffset(time.GetUtcNow()) };
        reply.Alerts.Add(alerts.Select(stored => AlertReplies.ToContract(AlertDocument.Read(stored))));
        reply.Sinks.Add(dispatcher.Statuses.Select(AlertReplies.ToContract));
        return reply;
    }

    public override async Task<SendTestAlertReply> SendTestAlert(SendTestAlertRequest request, ServerCallContext context)
    {
        var delivery = await dispatcher.TestAsync(request.Sink, context.CancellationToken);
        if (delivery is null)
        {
            var configured = dispatcher.Statuses.Select(s => s.Name).ToList();
            throw new RpcException(new Status(StatusCode.NotFound, configured.Count == 0
                ? $"no sink named '{request.Sink}': the collector has no sinks (Collector:Alerts:Sinks in /etc/daemonnet/collector.json)"
                : $"no sink named '{request.Sink}'; the collector has {string.Join(", ", configured)}"));
        }
        return new SendTestAlertReply { Delivery = AlertReplies.ToContract(delivery) };
    }
}
