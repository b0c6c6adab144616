using DaemonNet.HostAgent;
using DaemonNet.HostAgent.Enrolling;
using DaemonNet.HostAgent.Sources;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Systemd;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

const int usageError = 2;

Libc.KeepMallocArenasFew();

var parse = AgentCommand.Create(RunAsync).Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"daemonnet-agent: {error.Message}");
    }
    Console.Error.WriteLine("Run daemonnet-agent --help for the flags.");
    return usageError;
}
return await parse.InvokeAsync();

static async Task<int> RunAsync(Dictionary<string, string?> flags, CancellationToken cancellationToken)
{
    var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { ContentRootPath = AppContext.BaseDirectory });
    builder.Configuration
        .AddJsonFile("/etc/daemonnet/agent.json", optional: true)
        .AddEnvironmentVariables("DAEMONNET_")
        .AddInMemoryCollection(flags);
    // Under systemd, journald stamps each line and reads its priority from a <N> prefix.
    builder.Logging.ClearProviders();
    _ = SystemdHelpers.IsSystemdService()
        ? builder.Logging.AddSystemdConsole()
        : builder.Logging.AddSimpleConsole(o => { o.SingleLine = true; o.TimestampFormat = "yyyy-MM-ddTHH:mm:ssK "; });
    builder.Services.AddHostAgent(builder.Configuration);
    using var host = builder.Build();
    try
    {
        // Reading the options validates them, and building the channels loads the TLS files,
        // before anything starts or logs.
        var options = host.Services.GetRequiredService<IOptions<AgentOptions>>().Value;
        if (options.EnrolsFirst)
        {
            var settings = new EnrolSettings(options.Collectors[0], options.EnrolTokenFile, options.EnrolCaPin, options.EffectiveHostName, options.StateDir, TimeSpan.FromHours(1));
            if (await Enroller.RunAsync(settings, Console.Out, Console.Error, cancellationToken) is var enrolled and not Enroller.Enrolled)
            {
                return enrolled;
            }
        }
        _ = host.Services.GetRequiredService<DaemonNet.HostAgent.Sync.CollectorClients>();
    }
    catch (OptionsValidationException e)
    {
        foreach (var failure in e.Failures)
        {
            Console.Error.WriteLine($"daemonnet-agent: {failure}");
        }
        return usageError;
    }
    catch (InvalidOperationException e)
    {
        Console.Error.WriteLine($"daemonnet-agent: {e.Message}");
        return usageError;
    }
    await host.RunAsync(cancellationToken);
    return 0;
}
