using DaemonNet.Collector.Calls;
using Prometheus;

namespace DaemonNet.Collector.Operations;

/// <summary>
/// Where Prometheus scrapes: /metrics on the main port under the same rules as the questions (a
/// reader certificate, or none with open reads or --insecure), and on the optional metrics port,
/// which serves nothing else: the port has no TLS, so no question may be asked through it.
/// </summary>
public static class MetricsEndpoint
{
    public const string Path = "/metrics";

    public static void Map(WebApplication app, CollectorOptions settings)
    {
        var metricsPort = settings.MetricsListenEndPoint?.Port;
        if (metricsPort is { } port)
        {
            app.Use(async (context, next) =>
            {
                if (context.Connection.LocalPort == port && context.Request.Path != Path)
                {
                    context.Response.StatusCode = StatusCodes.Status404NotFound;
                    await context.Response.WriteAsync($"This port serves only {Path}.\n");
                    return;
                }
                await next(context);
            });
        }
        // The registry alone, which needs nothing: the metrics themselves need the store, which
        // must not open before the settings are checked.
        app.MapMetrics(Path, app.Services.GetRequiredService<CollectorRegistry>()).AddEndpointFilter(async (filter, next) =>
        {
            var context = filter.HttpContext;
            // Made on first use; a scrape before any agent or question still reads the store's state.
            _ = context.RequestServices.GetRequiredService<CollectorMetrics>();
            return (context.Connection.LocalPort == metricsPort ? null : ReaderAccess.Refusal(context, settings, Path)) ?? await next(filter);
        });
    }
}
