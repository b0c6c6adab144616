using DaemonNet.Collector.Certificates;
using DaemonNet.Protos.Security;

namespace DaemonNet.Collector.Calls;

/// <summary>
/// The rule for the plain HTTP routes (metrics, service discovery), as the gRPC questions have it
/// (<see cref="AccessInterceptor"/>): a reader's certificate or bearer token, or none with open reads or --insecure.
/// </summary>
public static class ReaderAccess
{
    /// <summary>Null when the caller may read; otherwise the 401 or 403 that says why not.</summary>
    public static IResult? Refusal(HttpContext context, CollectorOptions settings, string path)
    {
        var caller = CallerIdentity.Of(context);
        if (caller is null && !settings.Insecure && CallerIdentity.TokenRefusal(context) is { } refusal)
        {
            return Results.Text(refusal, statusCode: StatusCodes.Status401Unauthorized);
        }
        var allowed = caller is null ? settings.Insecure || settings.OpenReads : caller.Role == ClusterTrust.ReaderRole;
        return allowed ? null : Results.Text($"{path} needs a reader certificate or token; {caller?.Name ?? "this caller"} has none", statusCode: StatusCodes.Status403Forbidden);
    }
}
