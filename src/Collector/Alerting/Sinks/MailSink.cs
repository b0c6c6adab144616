using System.Net;
using System.Net.Mail;

namespace DaemonNet.Collector.Alerting.Sinks;

/// <summary>
/// Mails each alert through an SMTP relay: the headline as the subject, the alert as text in the
/// body. STARTTLS and a login are optional, for relays that need them.
/// </summary>
public sealed class MailSink(AlertSinkOptions options) : IAlertSink
{
    public async Task SendAsync(Alert alert, CancellationToken cancellationToken)
    {
        if (!HostPort.TryParse(options.Relay, out var host, out var port))
        {
            throw new AlertSinkException($"the relay '{options.Relay}' is not host:port (Collector:Alerts:Sinks, Relay)");
        }
        using var client = new SmtpClient(host, port)
        {
            EnableSsl = options.StartTls,
            Timeout = (int)options.TimeoutDuration.TotalMilliseconds,
            DeliveryMethod = SmtpDeliveryMethod.Network,
        };
        if (options.UserName.Length > 0)
        {
            client.Credentials = new NetworkCredential(options.UserName, options.PasswordFile.Length > 0 ? (await File.ReadAllTextAsync(options.PasswordFile, cancellationToken)).Trim() : "");
        }
        using var message = new MailMessage
        {
            From = new MailAddress(options.From),
            Subject = $"[DaemonNet] {AlertText.Headline(alert)}",
            Body = AlertText.Body(alert),
            BodyEncoding = System.Text.Encoding.UTF8,
        };
        foreach (var to in options.To)
        {
            message.To.Add(to);
        }
        message.Headers.Add("X-DaemonNet-Alert", alert.Id.ToString(System.Globalization.CultureInfo.InvariantCulture));
        try
        {
            await client.SendMailAsync(message, cancellationToken);
        }
        catch (SmtpException e)
        {
            throw new AlertSinkException($"the relay {options.Relay} refused or could not be reached: {e.Message}{(e.InnerException is { } inner ? $" ({inner.Message})" : "")}", e);
        }
    }
}
