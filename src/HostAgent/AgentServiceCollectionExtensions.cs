using DaemonNet.HostAgent.Enrolling;
using DaemonNet.HostAgent.Sources;
using DaemonNet.HostAgent.Sources.Capture;
using DaemonNet.HostAgent.Sources.Kernel;
using DaemonNet.HostAgent.Sources.Interfaces;
using DaemonNet.HostAgent.Sources.Leases;
using DaemonNet.HostAgent.Sources.Libvirt;
using DaemonNet.HostAgent.Sync;
using Grpc.Net.Client;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Options;

namespace DaemonNet.HostAgent;

public static class AgentServiceCollectionExtensions
{
    public static IServiceCollection AddHostAgent(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AgentOptions>().Bind(configuration.GetSection(AgentOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AgentOptions>, AgentOptionsValidator>();
        services.AddSingleton(TimeProvider.System);

        // The sources, in the order they run. Adding a source is adding a class and a line here.
        services.AddSingleton<GuestAgentDomains>();
        services.AddSingleton<ISnapshotSource, LibvirtSource>();
        services.AddSingleton<ISnapshotSource, KernelSource>();
        services.AddSingleton<ISnapshotSource, DnsmasqLeaseSource>();
        services.AddSingleton<ISnapshotSource, InterfacesSource>();
        services.AddSingleton<ISnapshotSource, GuestAgentSource>();
        services.AddSingleton<ISnapshotSource, CaptureSource>();
        services.AddSingleton<HostSnapshotBuilder>();
        services.AddSingleton<MonitorErrors>();

        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<AgentOptions>>().Value;
            return new AgentCredentials(options.Insecure ? null : options.Tls, renewable: options.CertFile.Length == 0);
        });
        services.AddSingleton(provider =>
        {
            var options = provider.GetRequiredService<IOptions<AgentOptions>>().Value;
            var credentials = provider.GetRequiredService<AgentCredentials>();
            return new CollectorClients(options.Collectors, url =>
            {
                var handler = new SocketsHttpHandler
                {
                    ConnectTimeout = TimeSpan.FromSeconds(5),
                    // Pings notice a collector that vanished without closing the connection.
                    KeepAlivePingDelay = TimeSpan.FromSeconds(20),
                    KeepAlivePingTimeout = TimeSpan.FromSeconds(10),
                    KeepAlivePingPolicy = HttpKeepAlivePingPolicy.Always,
                };
                if (credentials.ClientOptions() is { } tls)
                {
                    handler.SslOptions = tls;
                }
                return GrpcChannel.ForAddress(url, new GrpcChannelOptions { HttpHandler = handler });
            });
        });
        services.AddSingleton<ChangeSignal>();
        services.AddSingleton<ISystemdNotifier, SystemdNotifier>();
        services.AddSingleton<Readiness>();
        services.AddSingleton<SyncLoop>();
        services.AddHostedService<AgentWorker>();
        services.AddHostedService<CertificateRenewal>();
        services.AddHostedService<ChangeMonitor>();
        services.AddHostedService<LibvirtEventMonitor>();
        return services;
    }
}
