using System.Text;
using DaemonNet.Protos.Csv;
using DaemonNet.Protos.V1;
using Google.Protobuf;
using Microsoft.Net.Http.Headers;

namespace DaemonNet.Collector.Query;

/// <summary>
/// <c>Accept: text/csv</c> on the HTTP routes that answer lists (vms, hosts, history, audit,
/// alerts): the route answers as usual, and a successful JSON reply is turned into the table
/// <c>--csv</c> prints (<see cref="CsvTables"/>). A failure keeps its JSON error and status.
/// </summary>
public static class CsvResponses
{
    private static readonly Dictionary<string, MessageParser> Lists = new(StringComparer.Ordinal)
    {
        ["/v1/vms"] = ListVmsReply.Parser,
        ["/v1/hosts"] = ListHostsReply.Parser,
        ["/v1/audit"] = AuditReply.Parser,
        ["/v1/alerts"] = ListAlertsReply.Parser,
    };

    public static void Use(WebApplication app) => app.Use(async (context, next) =>
    {
        if (!HttpMethods.IsGet(context.Request.Method) || !AcceptsCsv(context.Request) || ParserFor(context.Request.Path) is not { } parser)
        {
            await next(context);
            return;
        }
        var body = context.Response.Body;
        using var json = new MemoryStream();
        context.Response.Body = json;
        try
        {
            await next(context);
        }
        finally
        {
            context.Response.Body = body;
        }
        json.Position = 0;
        if (context.Response.StatusCode != StatusCodes.Status200OK)
        {
            await json.CopyToAsync(body, context.RequestAborted);
            return;
        }
        var table = CsvTables.Of(parser.ParseJson(Encoding.UTF8.GetString(json.ToArray())));
        context.Response.ContentType = $"{CsvWriter.MediaType}; charset=utf-8; header=present";
        context.Response.ContentLength = null;
        await context.Response.WriteAsync(table ?? "", context.RequestAborted);
    });

    private static bool AcceptsCsv(HttpRequest request) =>
        MediaTypeHeaderValue.TryParseList(request.Headers.Accept, out var accepted)
        && accepted.Any(a => a.MediaType.Equals(CsvWriter.MediaType, StringComparison.OrdinalIgnoreCase));

    private static MessageParser? ParserFor(PathString path) =>
        path.StartsWithSegments("/v1/history", StringComparison.Ordinal, out var query) && query.HasValue
            ? HistoryReply.Parser
            : Lists.GetValueOrDefault(path.Value ?? "");
}
