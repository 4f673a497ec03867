using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portolan.Testing;

/// <summary>
/// Self-signed certificates (ECDSA P-256, <c>CN={name}.localhost</c>) written as PEM files, the way a user hands them to an
/// HTTPS listener.
/// </summary>
public static class TestCertificates
{
    /// <summary>Writes <c>{name}.pem</c> (certificate + key, or certificate only with the key in <c>{name}.key</c>); returns its path.</summary>
    public static string WritePem(string directory, string name, bool separateKey = false)
    {
        using var key = ECDsa.Create(ECCurve.NamedCurves.nistP256);
        var request = new CertificateRequest($"CN={name}.localhost", key, HashAlgorithmName.SHA256);
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
        var certificatePem = certificate.ExportCertificatePem();
        var keyPem = key.ExportPkcs8PrivateKeyPem();
        var path = Path.Combine(directory, name + ".pem");
        if (separateKey)
        {
            File.WriteAllText(path, certificatePem);
            File.WriteAllText(Path.Combine(directory, name + ".key"), keyPem);
        }
        else
        {
            File.WriteAllText(path, certificatePem + "\n" + keyPem);
        }
        return path;
    }
}
