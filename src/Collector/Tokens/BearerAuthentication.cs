namespace DaemonNet.Collector.Tokens;

/// <summary>
/// Checks the bearer token of a request that shows one (<c>Authorization: Bearer …</c>) and keeps
/// the verdict with the request. It decides nothing itself: the access checks of the gRPC calls,
/// HTTP routes and metrics refuse or admit, and say why.
/// </summary>
public static class BearerAuthentication
{
    private const string Scheme = "Bearer ";

    public static void Use(WebApplication app)
    {
        // Resolved per request, not here: building the app must not read the settings before they are checked.
        app.Use((context, next) =>
        {
            if (context.Connection.ClientCertificate is null && context.Request.Headers.Authorization is [{ } value]
                && value.StartsWith(Scheme, StringComparison.OrdinalIgnoreCase))
            {
                var tokens = context.RequestServices.GetRequiredService<BearerTokens>();
                var now = context.RequestServices.GetRequiredService<TimeProvider>().GetUtcNow();
                context.Features.Set(tokens.Check(value[Scheme.Length..].Trim(), now));
            }
            return next(context);
        });
    }
}
