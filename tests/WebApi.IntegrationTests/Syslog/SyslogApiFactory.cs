using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Microsoft.AspNetCore.Hosting;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Syslog;

/// <summary>
/// The API with its syslog listener on (UDP, TCP and TLS on free ports, a self-signed certificate made here) and a small
/// queue, so that a test can fill it. Every test sends from 127.0.0.1: <see cref="ClaimLoopbackAsync"/> gives that
/// address to one sensor at a time.
/// </summary>
public sealed class SyslogApiFactory : ApiFactory, IAsyncLifetime
{
    public const int QueueMessages = 200;
    public const int BatchSize = 50;
    public const int Writers = 2;
    public const int MaxConnections = 4;
    public const int IdleTimeoutSeconds = 10;
    public const string CertificatePassword = "syslog-test-pfx";

    private readonly string _directory = Directory.CreateTempSubdirectory("tp-syslog-").FullName;

    public SyslogApiFactory()
    {
        UdpPort = FreePort(SocketType.Dgram, ProtocolType.Udp);
        TcpPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        TlsPort = FreePort(SocketType.Stream, ProtocolType.Tcp);
        using var certificate = SelfSigned("localhost");
        CertificatePath = Path.Combine(_directory, "syslog.pfx");
        File.WriteAllBytes(CertificatePath, certificate.Export(X509ContentType.Pkcs12, CertificatePassword));
        Thumbprint = certificate.Thumbprint;
    }

    public int UdpPort { get; }

    public int TcpPort { get; }

    public int TlsPort { get; }

    public string CertificatePath { get; }

    /// <summary>The thumbprint of the certificate the TLS listener presents (the TLS client pins it).</summary>
    public string Thumbprint { get; }

    public static X509Certificate2 SelfSigned(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var san = new SubjectAlternativeNameBuilder();
        san.AddDnsName(name);
        san.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(san.Build());
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30));
    }

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Syslog:BindAddress", "127.0.0.1");
        builder.UseSetting("Syslog:UdpPort", UdpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Syslog:TcpPort", TcpPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Syslog:TlsPort", TlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Syslog:CertificatePath", CertificatePath);
        builder.UseSetting("Syslog:CertificatePassword", CertificatePassword);
        builder.UseSetting("Syslog:QueueMessages", QueueMessages.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Syslog:BatchSize", BatchSize.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Syslog:BatchDelayMilliseconds", "50");
        builder.UseSetting("Syslog:Writers", Writers.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Syslog:MaxConnections", MaxConnections.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.UseSetting("Syslog:IdleTimeoutSeconds", IdleTimeoutSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture));
    }

    /// <summary>
    /// Takes every sensor's syslog networks away (in SQL, as any other writer could: the cache hears of it by NOTIFY),
    /// so that the next sensor given 127.0.0.1 is the only one it belongs to.
    /// </summary>
    public async Task ClearSyslogNetworksAsync()
    {
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand("UPDATE sensors SET syslog_networks = '{}' WHERE cardinality(syslog_networks) > 0", connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>A sensor of <paramref name="format"/> that 127.0.0.1 belongs to, and no other sensor.</summary>
    public async Task<Claimed> ClaimLoopbackAsync(string format)
    {
        await ClearSyslogNetworksAsync();
        return await CreateSyslogSensorAsync(await this.CreateClientAsAsync(UserRole.Admin), format, "127.0.0.1");
    }

    public static async Task<Claimed> CreateSyslogSensorAsync(HttpClient admin, string format, params string[] networks)
    {
        var response = await admin.CreateSensorAsync(new { name = SensorsApi.NewName("syslog"), kind = "FIREWALL", format, syslog_networks = networks });
        ((int)response.StatusCode).Should().Be(201, await response.Content.ReadAsStringAsync());
        var sensor = await EventsApi.JsonAsync(response);
        return new Claimed(sensor.GetProperty("id").GetInt64(), sensor.GetProperty("sources")[0].GetString()!);
    }

    public Task<int> StoredCountAsync(long sensorId) =>
        WithDbAsync(db => db.Events.CountAsync(e => e.SensorId == sensorId));

    /// <summary>The database, then the host at once: the listener must be bound before a test's first packet, not at its first HTTP call.</summary>
    public new async Task InitializeAsync()
    {
        await base.InitializeAsync();
        _ = Services;
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        Directory.Delete(_directory, recursive: true);
    }

    /// <summary>
    /// The host, to stop it as the process's shutdown would (a test that does so owns its factory: a stopped host serves
    /// nothing more).
    /// </summary>
    public IHost Host => _host ?? throw new InvalidOperationException("The host has not started.");

    private IHost? _host;

    protected override IHost CreateHost(IHostBuilder builder)
    {
        _host = base.CreateHost(builder);
        return _host;
    }

    private static int FreePort(SocketType type, ProtocolType protocol)
    {
        using var socket = new Socket(AddressFamily.InterNetwork, type, protocol);
        socket.Bind(new IPEndPoint(IPAddress.Loopback, 0));
        return ((IPEndPoint)socket.LocalEndPoint!).Port;
    }

    public sealed record Claimed(long Id, string Source);
}
