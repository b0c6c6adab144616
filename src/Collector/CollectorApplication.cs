using System.Security.Cryptography.X509Certificates;
using DaemonNet.Collector.Alerting;
using DaemonNet.Collector.Calls;
using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Dns;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Ingestion;
using DaemonNet.Collector.Operations;
using DaemonNet.Collector.Query;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Watching;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace DaemonNet.Collector;

/// <summary>All of the collector's wiring: configuration sources, services, the listener, the endpoints.</summary>
public static class CollectorApplication
{
    /// <summary>The settings file the packaged collector reads, under its flags and environment.</summary>
    public const string SystemSettingsFile = "/etc/daemonnet/collector.json";

    /// <summary>Builds the application; throws <see cref="InvalidOperationException"/> with a sentence when a TLS file cannot be loaded.</summary>
    /// <param name="overrides">Configuration keys set by flags (or by tests).</param>
    /// <param name="settingsFile">
    /// A JSON settings file, read when it exists: <see cref="SystemSettingsFile"/> for the program.
    /// Tests give none, so that a collector installed on the same machine cannot lend them its settings.
    /// </param>
    /// <param name="replaceServices">Lets tests swap a service, such as the clock, after the defaults are registered.</param>
    public static WebApplication Create(IDictionary<string, string?> overrides, string? settingsFile, Action<IServiceCollection>? replaceServices = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { ContentRootPath = AppContext.BaseDirectory });
        if (settingsFile is not null)
        {
            builder.Configuration.AddJsonFile(settingsFile, optional: true);
        }
        builder.Configuration
            .AddEnvironmentVariables("DAEMONNET_")
            .AddInMemoryCollection(overrides);
        // Under systemd, journald stamps each line and reads its priority from a <N> prefix.
        builder.Logging.ClearProviders();
        _ = SystemdHelpers.IsSystemdService()
            ? builder.Logging.AddSystemdConsole()
            : builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ssK "; });
        builder.Logging
            // An agent that goes away is logged once by the ingest service; gRPC would add a stack trace.
            .AddFilter("Grpc", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning);

        builder.Services.AddOptions<CollectorOptions>().Bind(builder.Configuration.GetSection(CollectorOptions.Section)).ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<CollectorOptions>, CollectorOptionsValidator>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddSingleton(provider => new ListeningClock(provider.GetRequiredService<TimeProvider>().GetUtcNow()));
        builder.Services.AddHostedService<ListeningTicker>();
        builder.Services.AddSingleton(provider => provider.GetRequiredService<IOptions<CollectorOptions>>().Value.Rules with
        {
            Listening = provider.GetRequiredService<ListeningClock>(),
        });
        builder.Services.AddSingleton<ChangeFeed>();
        builder.Services.AddSingleton(provider => new Store(
            provider.GetRequiredService<IOptions<CollectorOptions>>().Value.Db, provider.GetRequiredService<IntervalRules>(),
            provider.GetRequiredService<IOptions<CollectorOptions>>().Value.TrafficResolution, provider.GetRequiredService<ChangeFeed>()));
        builder.Services.AddSingleton(provider => provider.GetRequiredService<Store>().Database);
        builder.Services.AddSingleton<IIngestWriter>(provider => provider.GetRequiredService<Store>().Ingest);
        builder.Services.AddSingleton(provider => provider.GetRequiredService<Store>().Where);
        builder.Services.AddSingleton(provider => provider.GetRequiredService<Store>().History);
        builder.Services.AddSingleton(provider => provider.GetRequiredService<Store>().State);
        builder.Services.AddSingleton(provider => provider.GetRequiredService<Store>().Alerts);
        builder.Services.AddSingleton(provider => provider.GetRequiredService<Store>().Retention);
        builder.Services.AddHostedService<StalenessMonitor>();
        builder.Services.AddHostedService<OtherCollectorsChanges>();
        builder.Services.AddSingleton<DnsRecordMonitor>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<DnsRecordMonitor>());
        // The dispatcher starts first: it queues what a previous run left pending before the engine raises anything new.
        builder.Services.AddSingleton<AlertDispatcher>();
        builder.Services.AddHostedService(provider => provider.GetRequiredService<AlertDispatcher>());
        builder.Services.AddHostedService<AlertEngine>();
        builder.Services.AddHostedService<RetentionService>();
        builder.Services.AddSingleton(_ => Prometheus.Metrics.NewCustomRegistry());
        builder.Services.AddSingleton<CollectorMetrics>();
        builder.Services.AddGrpcHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        builder.Services.AddGrpcReflection();
        builder.Services.AddSingleton<RejectionCounter>();
        builder.Services.AddSingleton<StreamSlots>();
        builder.Services.AddSingleton<WriteShares>();
        builder.Services.AddSingleton(provider => new RevokedCertificates(
            provider.GetRequiredService<IOptions<CollectorOptions>>().Value.EffectiveRevocationFile, provider.GetRequiredService<ILogger<RevokedCertificates>>()));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = WireLimits.MaxMessageBytes;
            // Outermost first: failures of the access checks and the handlers alike get a sentence.
            grpc.Interceptors.Add<FailureInterceptor>();
            grpc.Interceptors.Add<AccessInterceptor>();
            grpc.Interceptors.Add<TimingInterceptor>();
        }).AddJsonTranscoding();
        // The HTTP routes' OpenAPI document, generated from the protos and their comments.
        builder.Services.AddGrpcSwagger();
        builder.Services.AddSwaggerGen(swagger => swagger.SwaggerDoc("v1",
            new Microsoft.OpenApi.Models.OpenApiInfo { Title = "DaemonNet Inventory", Version = "v1", Description = "The collector's questions over HTTP with JSON replies." }));
        replaceServices?.Invoke(builder.Services);

        var settings = builder.Configuration.GetSection(CollectorOptions.Section).Get<CollectorOptions>() ?? new CollectorOptions();
        var useTls = !settings.Insecure && settings.Tls.IsComplete;
        var authority = useTls ? settings.Tls.LoadAuthority() : null;
        var certificate = useTls ? settings.Tls.LoadCertificate() : null;
        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            // Pings find an agent that vanished without closing its connection (a cut link), so that
            // its stream ends and, with collectors that share a database, its host can move on.
            kestrel.Limits.Http2.KeepAlivePingDelay = TimeSpan.FromSeconds(20);
            kestrel.Limits.Http2.KeepAlivePingTimeout = TimeSpan.FromSeconds(10);
            if (settings.Insecure && settings.HttpListenEndPoint is { } httpEndPoint)
            {
                kestrel.Listen(httpEndPoint, endpoint => endpoint.Protocols = HttpProtocols.Http1);
            }
            if (settings.MetricsListenEndPoint is { } metricsEndPoint)
            {
                kestrel.Listen(metricsEndPoint, endpoint => endpoint.Protocols = HttpProtocols.Http1);
            }
            kestrel.Listen(settings.ListenEndPoint ?? new CollectorOptions().ListenEndPoint!, endpoint =>
            {
                // gRPC needs HTTP/2; browsers and curl need HTTP/1.1 for the HTTP routes. Over TLS,
                // ALPN lets one port speak both. Without TLS there is no ALPN, and Kestrel would
                // speak HTTP/1.1 to everyone, so plain HTTP/2 it stays (gRPC only).
                endpoint.Protocols = HttpProtocols.Http2;
                if (authority is not null && certificate is not null)
                {
                    endpoint.Protocols = HttpProtocols.Http1AndHttp2;
                    endpoint.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        ServerCertificate = certificate,
                        ClientCertificateMode = settings.OpenReads ? ClientCertificateMode.AllowCertificate : ClientCertificateMode.RequireCertificate,
                        // The chain Kestrel offers was built against the system store; the cluster trusts only its own CA.
                        // A revoked certificate fails here too; calls on connections opened before are refused per call.
                        ClientCertificateValidation = (client, _, _) => AcceptsClient(client, authority, kestrel.ApplicationServices),
                    });
                }
            });
        });

        var app = builder.Build();
        app.UseSwagger(swagger => swagger.RouteTemplate = "openapi/{documentName}.json");
        // The read-only web page (wwwroot): plain files that ask the HTTP routes above.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        MetricsEndpoint.Map(app, settings);
        app.MapGrpcService<IngestService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapGrpcService<InventoryService>();
        app.MapGrpcService<AlertsService>();
        return app;
    }

    /// <summary>
    /// The handshake's verdict on a client certificate: issued by the cluster CA and not revoked.
    /// A refusal is logged here, where it is decided; the client may see it only as a dropped connection.
    /// </summary>
    private static bool AcceptsClient(X509Certificate2 client, X509Certificate2 authority, IServiceProvider services)
    {
        string? problem = null;
        if (!ClusterTrust.IsIssuedBy(client, authority, out var chainProblem))
        {
            problem = $"not issued by the cluster CA ({chainProblem})";
        }
        else if (services.GetRequiredService<RevokedCertificates>().IsRevoked(client.SerialNumber))
        {
            problem = "revoked";
        }
        if (problem is not null)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(CollectorApplication))
                .LogWarning("Refused a client certificate at the handshake: {Subject} (serial {Serial}) is {Problem}", client.Subject, client.SerialNumber, problem);
        }
        return problem is null;
    }
}
