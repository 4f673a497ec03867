using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Portolan.Core.LoadBalancing;

/// <summary>
/// Where HTTPS listeners get certificates. Portolan has no ACM, so a listener's <c>CertificateArn</c> names a file on
/// the host that serves the listener, as an absolute path or a <c>file://</c> URL:
/// <list type="bullet">
/// <item>a PKCS#12 file (<c>.pfx</c> / <c>.p12</c>) without a password;</item>
/// <item>a PEM file holding the certificate (chain first the leaf) and its private key;</item>
/// <item>a PEM certificate file whose key is in a file next to it with the extension <c>.key</c>
/// (<c>site.pem</c> + <c>site.key</c>, <c>site.crt</c> + <c>site.key</c>).</item>
/// </list>
/// The API checks that the file loads when the listener is created (else CertificateNotFound); the data plane loads
/// it with <see cref="Load"/> when it binds the listener. In a cluster every node needs the file at the same path.
/// </summary>
public static class ListenerCertificates
{
    /// <summary>The file a certificate ARN names, or null when it does not name a file (e.g. an ACM ARN).</summary>
    public static string? PathOf(string certificateArn)
    {
        var path = certificateArn.StartsWith("file://", StringComparison.Ordinal) ? Uri.UnescapeDataString(certificateArn["file://".Length..]) : certificateArn;
        return Path.IsPathFullyQualified(path) ? path : null;
    }

    /// <summary>Loads the certificate with its private key. Throws <see cref="CryptographicException"/> or an IO exception when it can't.</summary>
    public static X509Certificate2 Load(string certificateArn)
    {
        var path = PathOf(certificateArn) ?? throw new FileNotFoundException($"'{certificateArn}' is not an absolute file path or file:// URL.");
        var extension = Path.GetExtension(path).ToLowerInvariant();
        if (extension is ".pfx" or ".p12")
            return X509CertificateLoader.LoadPkcs12FromFile(path, password: null, X509KeyStorageFlags.Exportable);

        var pem = File.ReadAllText(path);
        var keyPath = Path.ChangeExtension(path, ".key");
        var keyPem = pem.Contains("PRIVATE KEY-----", StringComparison.Ordinal) || !File.Exists(keyPath) ? pem : File.ReadAllText(keyPath);
        using var fromPem = X509Certificate2.CreateFromPem(pem, keyPem);
        // Export/import so the key is usable by SslStream on every platform (ephemeral PEM keys are not on Windows).
        return X509CertificateLoader.LoadPkcs12(fromPem.Export(X509ContentType.Pkcs12), password: null, X509KeyStorageFlags.Exportable);
    }

    /// <summary>Null when <paramref name="certificateArn"/> loads with a private key, else why not.</summary>
    public static string? Problem(string certificateArn)
    {
        try
        {
            using var certificate = Load(certificateArn);
            return certificate.HasPrivateKey ? null : "it has no private key";
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException or ArgumentException)
        {
            return e.Message;
        }
    }
}
