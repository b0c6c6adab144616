using System.Security.Cryptography.X509Certificates;
using DaemonNet.Collector.Alerting;
using DaemonNet.Collector.Calls;
using DaemonNet.Collector.Certificates;
using DaemonNet.Collector.Dns;
using DaemonNet.Collector.Enrolling;
using DaemonNet.Collector.Facts;
using DaemonNet.Collector.Ingestion;
using DaemonNet.Collector.Names;
using DaemonNet.Collector.Operations;
using DaemonNet.Collector.Query;
using DaemonNet.Collector.Storage;
using DaemonNet.Collector.Tokens;
using DaemonNet.Collector.Vendors;
using DaemonNet.Collector.Watching;
using DaemonNet.Protos.Security;
using DaemonNet.Protos.V1;
using DaemonNet.Protos.Validation;
using Microsoft.AspNetCore.Http.Features;
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
        AddLogging(builder.Logging);
        AddStore(builder.Services, builder.Configuration.GetSection(CollectorOptions.Section));
        AddBackgroundWork(builder.Services);
        AddEdges(builder.Services);
        replaceServices?.Invoke(builder.Services);

        var settings = builder.Configuration.GetSection(CollectorOptions.Section).Get<CollectorOptions>() ?? new CollectorOptions();
        ConfigureKestrel(builder.WebHost, settings);

        var app = builder.Build();
        MapRoutes(app, settings);
        return app;
    }

    private static void AddLogging(ILoggingBuilder logging)
    {
        // Under systemd, journald stamps each line and reads its priority from a <N> prefix.
        logging.ClearProviders();
        _ = SystemdHelpers.IsSystemdService()
            ? logging.AddSystemdConsole()
            : logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ssK "; });
        logging
            // An agent that goes away is logged once by the ingest service; gRPC would add a stack trace.
            .AddFilter("Grpc", LogLevel.Warning)
            .AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        // A console nobody reads (a full pipe) must not stop the collector: by default every thread
        // that logs would wait for room, the thread pool with them, and ingest stalls. Lines that
        // find the queue full are dropped instead (and the console says how many).
        logging.Services.Configure<Microsoft.Extensions.Logging.Console.ConsoleLoggerOptions>(o => o.QueueFullMode = Microsoft.Extensions.Logging.Console.ConsoleLoggerQueueFullMode.DropWrite);
    }

    /// <summary>The settings, the clocks and the store with each of its roles.</summary>
    private static void AddStore(IServiceCollection services, IConfigurationSection section)
    {
        services.AddOptions<CollectorOptions>().Bind(section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CollectorOptions>, CollectorOptionsValidator>();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton(provider => new ListeningClock(provider.GetRequiredService<TimeProvider>().GetUtcNow()));
        services.AddHostedService<ListeningTicker>();
        services.AddSingleton(provider => provider.GetRequiredService<IOptions<CollectorOptions>>().Value.Rules with
        {
            Listening = provider.GetRequiredService<ListeningClock>(),
        });
        services.AddSingleton<ChangeFeed>();
        services.AddSingleton(provider => new Store(
            provider.GetRequiredService<IOptions<CollectorOptions>>().Value.Db, provider.GetRequiredService<IntervalRules>(),
            provider.GetRequiredService<IOptions<CollectorOptions>>().Value.TrafficResolution, provider.GetRequiredService<ChangeFeed>()));
        services.AddSingleton(provider => provider.GetRequiredService<Store>().Database);
        services.AddSingleton<IIngestWriter>(provider => provider.GetRequiredService<Store>().Ingest);
        services.AddSingleton(provider => provider.GetRequiredService<Store>().Where);
        services.AddSingleton(provider => provider.GetRequiredService<Store>().History);
        services.AddSingleton(provider => provider.GetRequiredService<Store>().State);
        services.AddSingleton(provider => provider.GetRequiredService<Store>().Alerts);
        services.AddSingleton(provider => provider.GetRequiredService<Store>().Retention);
        services.AddSingleton(provider => provider.GetRequiredService<Store>().Access);
    }

    /// <summary>The loops that run beside the questions: staleness, other collectors' changes, DNS records, alerts, retention, names.</summary>
    private static void AddBackgroundWork(IServiceCollection services)
    {
        services.AddHostedService<StalenessMonitor>();
        services.AddHostedService<OtherCollectorsChanges>();
        services.AddSingleton<DnsRecordMonitor>();
        services.AddHostedService(provider => provider.GetRequiredService<DnsRecordMonitor>());
        // The dispatcher starts first: it queues what a previous run left pending before the engine raises anything new.
        services.AddSingleton<AlertDispatcher>();
        services.AddHostedService(provider => provider.GetRequiredService<AlertDispatcher>());
        services.AddHostedService<AlertEngine>();
        services.AddHostedService<RetentionService>();
        services.AddSingleton<AccessLog>();
        services.AddHostedService(provider => provider.GetRequiredService<AccessLog>());
        services.AddSingleton(provider => new AddressNames(provider.GetRequiredService<IOptions<CollectorOptions>>().Value.Names, provider.GetRequiredService<TimeProvider>()));
        services.AddHostedService<NameRefresher>();
    }

    /// <summary>What callers meet: metrics, health, admission and the gRPC services with their HTTP routes and OpenAPI document.</summary>
    private static void AddEdges(IServiceCollection services)
    {
        services.AddSingleton(_ => Prometheus.Metrics.NewCustomRegistry());
        services.AddSingleton<CollectorMetrics>();
        services.AddGrpcHealthChecks().AddCheck<DatabaseHealthCheck>("database");
        services.AddGrpcReflection();
        services.AddSingleton<RejectionCounter>();
        services.AddSingleton<StreamSlots>();
        services.AddSingleton<WriteShares>();
        services.AddSingleton<InventoryReplies>();
        services.AddSingleton(provider => new MacVendors(
            provider.GetRequiredService<IOptions<CollectorOptions>>().Value.IeeeDataFolder, provider.GetRequiredService<TimeProvider>()));
        services.AddSingleton(provider => new RevokedCertificates(
            provider.GetRequiredService<IOptions<CollectorOptions>>().Value.EffectiveRevocationFile, provider.GetRequiredService<ILogger<RevokedCertificates>>()));
        services.AddSingleton(provider => new ServingCertificate(
            provider.GetRequiredService<IOptions<CollectorOptions>>().Value.Tls, provider.GetRequiredService<ILogger<ServingCertificate>>()));
        services.AddSingleton(provider => new BearerTokens(
            provider.GetRequiredService<IOptions<CollectorOptions>>().Value.EffectiveTokenFile, provider.GetRequiredService<ILogger<BearerTokens>>()));
        services.AddSingleton<CertlessConnections>();
        services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = WireLimits.MaxMessageBytes;
            // Outermost first: failures of the access checks and the handlers alike get a sentence.
            grpc.Interceptors.Add<FailureInterceptor>();
            grpc.Interceptors.Add<AccessLogInterceptor>();
            grpc.Interceptors.Add<AccessInterceptor>();
            grpc.Interceptors.Add<TimingInterceptor>();
        }).AddJsonTranscoding();
        // The HTTP routes' OpenAPI document, generated from the protos and their comments.
        services.AddGrpcSwagger();
        // The plain HTTP routes (service discovery) in the same OpenAPI document.
        services.AddEndpointsApiExplorer();
        services.AddSwaggerGen(swagger => swagger.SwaggerDoc("v1",
            new Microsoft.OpenApi.Models.OpenApiInfo { Title = "DaemonNet Inventory", Version = "v1", Description = "The collector's questions over HTTP with JSON replies." }));
    }

    /// <summary>Where the collector listens, with which protocols, and whose certificates it accepts.</summary>
    private static void ConfigureKestrel(IWebHostBuilder webHost, CollectorOptions settings)
    {
        var useTls = !settings.Insecure && settings.Tls.IsComplete;
        var authority = useTls ? settings.Tls.LoadAuthority() : null;
        // Loaded here only so that a file that does not load stops the collector at start, saying which.
        using var certificate = useTls ? settings.Tls.LoadCertificate() : null;
        webHost.ConfigureKestrel(kestrel =>
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
                if (authority is not null)
                {
                    endpoint.Protocols = HttpProtocols.Http1AndHttp2;
                    endpoint.UseHttps(new HttpsConnectionAdapterOptions
                    {
                        // Asked at each handshake: a renewed certificate serves new connections at once (SIGHUP, or its file changing).
                        ServerCertificateSelector = (_, _) => kestrel.ApplicationServices.GetRequiredService<ServingCertificate>().Current,
                        // A certificate is asked for, not required: people and scripts may show a bearer token
                        // instead, hosts enrol with an enrolment token, and the web page must load to sign in.
                        // Until a token is issued, with reads closed, CertlessConnections closes such a
                        // connection at once; else no call is answered without a credential (AccessInterceptor, ReaderAccess).
                        ClientCertificateMode = ClientCertificateMode.AllowCertificate,
                        // The chain Kestrel offers was built against the system store; the cluster trusts only its own CA.
                        // A revoked certificate fails here too; calls on connections opened before are refused per call.
                        ClientCertificateValidation = (client, _, _) => AcceptsClient(client, authority, kestrel.ApplicationServices),
                    });
                    // Without a certificate, a connection stays only if a token or open reads could answer it.
                    endpoint.Use(next => connection =>
                        connection.Features.Get<ITlsConnectionFeature>()?.ClientCertificate is null
                        && !kestrel.ApplicationServices.GetRequiredService<CertlessConnections>().Admits(connection.RemoteEndPoint)
                            ? Task.CompletedTask
                            : next(connection));
                }
            });
        });
    }

    private static void MapRoutes(WebApplication app, CollectorOptions settings)
    {
        app.UseSwagger(swagger => swagger.RouteTemplate = "openapi/{documentName}.json");
        // The read-only web page (wwwroot): plain files that ask the HTTP routes above.
        app.UseDefaultFiles();
        app.UseStaticFiles();
        BearerAuthentication.Use(app);
        MetricsEndpoint.Map(app, settings);
        CsvResponses.Use(app);
        PrometheusDiscovery.Map(app, settings);
        app.MapGrpcService<IngestService>();
        app.MapGrpcHealthChecksService();
        app.MapGrpcReflectionService();
        app.MapGrpcService<InventoryService>();
        app.MapGrpcService<AlertsService>();
        app.MapGrpcService<EnrolmentService>();
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
