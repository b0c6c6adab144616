using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Grpc.Core;

namespace DaemonNet.Collector.Enrolling;

/// <summary>A host's PKCS#10 request as the contract carries it (DER, base64), checked: it must load and be signed by its own key.</summary>
public static class CertificateRequests
{
    public static PublicKey KeyOf(string base64, string field)
    {
        try
        {
            return CertificateRequest.LoadSigningRequest(Convert.FromBase64String(base64), HashAlgorithmName.SHA256, out _,
                CertificateRequestLoadOptions.Default).PublicKey;
        }
        catch (Exception e) when (e is FormatException or CryptographicException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{field} is not a PKCS#10 request signed by its key, in base64 DER: {e.Message}"));
        }
    }
}
