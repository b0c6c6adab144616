using System.Net.Http.Headers;

namespace DaemonNet.Cli;

/// <summary>
/// A bearer token from a file (<c>--token-file</c>): read, checked for shape, and sent with every
/// call as <c>Authorization: Bearer …</c>.
/// </summary>
internal static class BearerToken
{
    private const UnixFileMode OthersMayRead = UnixFileMode.GroupRead | UnixFileMode.OtherRead;

    /// <summary>The token in the file, or null after saying on stderr what is wrong with it.</summary>
    public static string? Read(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path).Trim();
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Console.Error.WriteLine($"daemonnet: cannot read the token file {path}: {e.Message}");
            return null;
        }
        if (text.Length == 0 || text.Any(char.IsWhiteSpace))
        {
            Console.Error.WriteLine($"daemonnet: the token file {path} must hold one token, as 'daemonnet-collector certs token issue' printed it, and nothing else");
            return null;
        }
        if ((File.GetUnixFileMode(path) & OthersMayRead) != UnixFileMode.None)
        {
            Console.Error.WriteLine($"daemonnet: warning: others may read the token file {path}; chmod 600 it");
        }
        return text;
    }

    /// <summary>Adds the token to every request the channel sends.</summary>
    public sealed class Handler(string token, HttpMessageHandler inner) : DelegatingHandler(inner)
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            return base.SendAsync(request, cancellationToken);
        }
    }
}
