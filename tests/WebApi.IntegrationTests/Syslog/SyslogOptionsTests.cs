using System.ComponentModel.DataAnnotations;
using System.Security.Cryptography.X509Certificates;
using ThreatPlatform.WebApi.Syslog;

namespace ThreatPlatform.WebApi.IntegrationTests.Syslog;

/// <summary>The listener's settings as start-up checks them (a failure stops the API, naming the setting).</summary>
public sealed class SyslogOptionsTests
{
    [Fact]
    public void A_tls_port_without_a_certificate_is_refused_naming_the_certificate_setting()
    {
        var failures = Validate(new SyslogOptions { TlsPort = 6514 });

        failures.Should().ContainSingle().Which.MemberNames.Should().Equal(nameof(SyslogOptions.CertificatePath));
    }

    [Fact]
    public void Tcp_and_tls_on_one_port_are_refused()
    {
        using var pem = PemFiles.Write();

        var failures = Validate(new SyslogOptions { TcpPort = 6514, TlsPort = 6514, CertificatePath = pem.Certificate, CertificateKeyPath = pem.Key });

        failures.Should().ContainSingle().Which.MemberNames.Should().Equal(nameof(SyslogOptions.TlsPort));
    }

    [Fact]
    public void A_pem_certificate_and_its_key_are_read_with_the_private_key()
    {
        using var pem = PemFiles.Write();
        var options = new SyslogOptions { TlsPort = 6514, CertificatePath = pem.Certificate, CertificateKeyPath = pem.Key };

        Validate(options).Should().BeEmpty();
        using var certificate = options.LoadCertificate();
        certificate.HasPrivateKey.Should().BeTrue();
    }

    [Fact]
    public void A_certificate_without_its_key_is_refused()
    {
        using var pem = PemFiles.Write();

        var failures = Validate(new SyslogOptions { TlsPort = 6514, CertificatePath = pem.Certificate });

        failures.Should().ContainSingle().Which.ErrorMessage.Should().Contain("Syslog__CertificatePath");
    }

    private static List<ValidationResult> Validate(SyslogOptions options)
    {
        var results = new List<ValidationResult>();
        Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true);
        return results;
    }

    private sealed class PemFiles : IDisposable
    {
        private readonly string _directory = Directory.CreateTempSubdirectory("tp-syslog-pem-").FullName;

        public string Certificate => Path.Combine(_directory, "cert.pem");

        public string Key => Path.Combine(_directory, "key.pem");

        public static PemFiles Write()
        {
            var files = new PemFiles();
            using var certificate = SyslogApiFactory.SelfSigned("localhost");
            File.WriteAllText(files.Certificate, certificate.ExportCertificatePem());
            using var key = certificate.GetRSAPrivateKey()!;
            File.WriteAllText(files.Key, key.ExportPkcs8PrivateKeyPem());
            return files;
        }

        public void Dispose() => Directory.Delete(_directory, recursive: true);
    }
}
