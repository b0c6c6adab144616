namespace DaemonNet.Collector.Certificates;

/// <summary>
/// A certificate the cluster CA issued: NotAfter and IssuedAt are null for a revoked one whose
/// file was replaced since. <paramref name="Renewed"/> says whether it replaced an earlier
/// certificate of its name (renewed, reissued or enrolled again).
/// </summary>
public sealed record IssuedCertificate(string Name, string Role, string Serial, DateTimeOffset? NotAfter, DateTimeOffset? RevokedAt)
{
    public DateTimeOffset? IssuedAt { get; init; }

    public bool Renewed { get; init; }
}
