using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography.X509Certificates;

namespace ThreatPlatform.WebApi.Syslog;

/// <summary>
/// The syslog listener's settings (section <c>Syslog</c>, e.g. <c>Syslog__TcpPort=6514</c>). Each transport is off
/// unless its port is set; TLS also needs a certificate: a PKCS#12 file (<c>CertificatePath</c> ending .pfx/.p12, with
/// <c>CertificatePassword</c> if it has one) or PEM (<c>CertificatePath</c> the certificate chain, <c>CertificateKeyPath</c>
/// its private key, <c>CertificatePassword</c> if the key is encrypted).
/// </summary>
public sealed class SyslogOptions : IValidatableObject
{
    public const string Section = "Syslog";

    /// <summary>RFC 5425's and RFC 6587's limit on what one message may be here; longer ones are dropped (too_large).</summary>
    public const int MaxMessageBytes = 64 * 1024;

    [Range(1, 65535)]
    public int? UdpPort { get; set; }

    [Range(1, 65535)]
    public int? TcpPort { get; set; }

    [Range(1, 65535)]
    public int? TlsPort { get; set; }

    /// <summary>The address the listener binds (default every IPv4 and IPv6 address: <c>::</c>, dual-stack).</summary>
    public string BindAddress { get; set; } = "::";

    public string? CertificatePath { get; set; }

    public string? CertificateKeyPath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>Open TCP and TLS connections at once; one more is closed as soon as it is accepted.</summary>
    [Range(1, 100_000)]
    public int MaxConnections { get; set; } = 1_000;

    /// <summary>A TCP or TLS connection that sends nothing this long is closed (and a TLS handshake must finish in it).</summary>
    [Range(1, 86_400)]
    public int IdleTimeoutSeconds { get; set; } = 300;

    /// <summary>Messages written in one batch at most (one transaction per sensor in it).</summary>
    [Range(1, 10_000)]
    public int BatchSize { get; set; } = 1_000;

    /// <summary>How long the first message of a batch waits for others before the batch is written.</summary>
    [Range(1, 10_000)]
    public int BatchDelayMilliseconds { get; set; } = 200;

    /// <summary>Batches written at once (each on a connection of its own).</summary>
    [Range(1, 16)]
    public int Writers { get; set; } = 2;

    /// <summary>Messages received and not yet written, at most; beyond it TCP and TLS stop reading and UDP drops (overload).</summary>
    [Range(1, 1_000_000)]
    public int QueueMessages { get; set; } = 20_000;

    /// <summary>Bytes of those messages, at most (so that 64 KiB messages cannot hold gigabytes).</summary>
    [Range(65_536, 4L * 1024 * 1024 * 1024)]
    public long QueueBytes { get; set; } = 32L * 1024 * 1024;

    public bool Enabled => UdpPort is not null || TcpPort is not null || TlsPort is not null;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!System.Net.IPAddress.TryParse(BindAddress, out _))
        {
            yield return new ValidationResult($"Syslog__BindAddress must be an IP address, not '{BindAddress}'.", [nameof(BindAddress)]);
        }

        if (TcpPort is not null && TcpPort == TlsPort)
        {
            yield return new ValidationResult("Syslog__TcpPort and Syslog__TlsPort must differ.", [nameof(TlsPort)]);
        }

        if (TlsPort is null)
        {
            yield break;
        }

        if (string.IsNullOrWhiteSpace(CertificatePath))
        {
            yield return new ValidationResult("Syslog__TlsPort needs Syslog__CertificatePath (a .pfx/.p12 file, or a PEM certificate with Syslog__CertificateKeyPath).", [nameof(CertificatePath)]);
            yield break;
        }

        string? failure = null;
        try
        {
            using var certificate = LoadCertificate();
            if (!certificate.HasPrivateKey)
            {
                failure = $"Syslog__CertificatePath '{CertificatePath}' has no private key (give Syslog__CertificateKeyPath for a PEM certificate).";
            }
        }
        catch (Exception e) when (e is System.Security.Cryptography.CryptographicException or IOException or UnauthorizedAccessException or ArgumentException)
        {
            failure = $"Syslog__CertificatePath '{CertificatePath}' could not be read: {e.Message}";
        }

        if (failure is not null)
        {
            yield return new ValidationResult(failure, [nameof(CertificatePath)]);
        }
    }

    /// <summary>The TLS certificate with its private key, from PKCS#12 or PEM as the settings name it.</summary>
    public X509Certificate2 LoadCertificate()
    {
        var path = CertificatePath ?? throw new InvalidOperationException("No Syslog__CertificatePath.");
        if (!string.IsNullOrWhiteSpace(CertificateKeyPath) || File.ReadAllText(path).Contains("-----BEGIN", StringComparison.Ordinal))
        {
            var pem = string.IsNullOrEmpty(CertificatePassword)
                ? X509Certificate2.CreateFromPemFile(path, CertificateKeyPath)
                : X509Certificate2.CreateFromEncryptedPemFile(path, CertificatePassword, CertificateKeyPath);
            return pem;
        }

        return X509CertificateLoader.LoadPkcs12FromFile(path, CertificatePassword);
    }
}
