using DaemonNet.Collector;
using DaemonNet.Collector.Storage;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Options;

const int usageError = 2;
const int startFailed = 1;

var parse = CollectorCommand.Create(RunAsync).Parse(args);
if (parse.Errors.Count > 0)
{
    foreach (var error in parse.Errors)
    {
        Console.Error.WriteLine($"daemonnet-collector: {error.Message}");
    }
    Console.Error.WriteLine("Run daemonnet-collector --help for the flags.");
    return usageError;
}
return await parse.InvokeAsync();

static async Task<int> RunAsync(Dictionary<string, string?> flags, CancellationToken cancellationToken)
{
    await using var app = CollectorApplication.Create(flags);
    try
    {
        // Validate settings and open the database before listening, so a bad one stops us at once.
        var options = app.Services.GetRequiredService<IOptions<CollectorOptions>>().Value;
        app.Services.GetRequiredService<IInventoryStore>();
        app.Logger.LogInformation("Listening on {Listen} (h2c), database {Db}", options.Listen, Path.GetFullPath(options.Db));
    }
    catch (OptionsValidationException e)
    {
        foreach (var failure in e.Failures)
        {
            Console.Error.WriteLine($"daemonnet-collector: {failure}");
        }
        return usageError;
    }
    catch (Exception e) when (e is SqliteException or IOException or UnauthorizedAccessException or InvalidOperationException)
    {
        Console.Error.WriteLine($"daemonnet-collector: cannot open the database: {e.Message}");
        return startFailed;
    }
    await app.RunAsync(cancellationToken);
    return 0;
}
