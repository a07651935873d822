using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace ThreatPlatform.Bench;

/// <summary>
/// The API as production runs it: the Release build, `dotnet ThreatPlatform.WebApi.dll` (so the process is the API and
/// its /proc entry is its own), Production environment, logging at Warning so logging is not what we measure.
/// </summary>
internal sealed class ApiProcess : IAsyncDisposable
{
    internal static readonly string AdminPassword = $"Pw-{Guid.NewGuid():N}";

    // Production refuses to start without an audit chain key: one per bench run, shared by the API and create-admin.
    private static readonly string AuditChainKey = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(48));

    private readonly Process _process;
    private readonly StreamWriter _log;

    private ApiProcess(Process process, StreamWriter log, Uri baseAddress)
    {
        _process = process;
        _log = log;
        BaseAddress = baseAddress;
    }

    public Uri BaseAddress { get; }

    /// <summary>
    /// A client of this API sending <paramref name="credential"/> under <paramref name="scheme"/> ("Bearer" for a
    /// token, "ApiKey" for a sensor's key), with a timeout long enough for the largest batch.
    /// </summary>
    public HttpClient Client(string scheme, string credential)
    {
        var http = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromMinutes(5) };
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue(scheme, credential);
        return http;
    }

    /// <summary>Where the API sends mail: the port (9)'s SMTP server (aiosmtpd) listens on.</summary>
    public static int SmtpPort { get; } = FreePort();

    public int Pid => _process.Id;

    /// <param name="environment">Settings of this run's own (the syslog listener's port, for instance).</param>
    public static async Task<ApiProcess> StartAsync(Settings settings, string connectionString, IReadOnlyDictionary<string, string>? environment = null)
    {
        var port = FreePort();
        var baseAddress = new Uri($"http://127.0.0.1:{port}/");
        Directory.CreateDirectory(Path.GetDirectoryName(Path.GetFullPath(settings.ApiLog))!);
        var log = new StreamWriter(settings.ApiLog, append: false) { AutoFlush = true };
        var start = Start(settings, connectionString, "--urls", baseAddress.ToString().TrimEnd('/'));
        foreach (var (name, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[name] = value;
        }

        var process = Process.Start(start) ?? throw new InvalidOperationException("The API did not start.");
        process.OutputDataReceived += (_, e) => Write(log, e.Data);
        process.ErrorDataReceived += (_, e) => Write(log, e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var api = new ApiProcess(process, log, baseAddress);
        await api.WaitUntilReadyAsync();
        return api;
    }

    /// <summary>Creates an ADMIN with the API's own `create-admin` command and signs in: the bearer token for the load.</summary>
    public async Task<string> SignInAsync(Settings settings, string connectionString)
    {
        var start = Start(settings, connectionString, "create-admin", "--username", "bench", "--email", "bench@example.org", "--password-stdin");
        start.RedirectStandardInput = true;
        using (var createAdmin = Process.Start(start) ?? throw new InvalidOperationException("create-admin did not start."))
        {
            await createAdmin.StandardInput.WriteLineAsync(AdminPassword);
            createAdmin.StandardInput.Close();
            var output = await createAdmin.StandardOutput.ReadToEndAsync() + await createAdmin.StandardError.ReadToEndAsync();
            await createAdmin.WaitForExitAsync();
            if (createAdmin.ExitCode != 0)
            {
                throw new InvalidOperationException($"create-admin failed: {output}");
            }
        }

        using var client = new HttpClient { BaseAddress = BaseAddress };
        using var response = await client.PostAsJsonAsync("/api/auth/login/", new Dictionary<string, string> { ["username"] = "bench", ["password"] = AdminPassword });
        response.EnsureSuccessStatusCode();
        using var tokens = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        return tokens.RootElement.GetProperty("access").GetString()!;
    }

    /// <summary>Peak resident set size of the API process so far (VmHWM), in MiB.</summary>
    public double PeakRssMiB() => StatusKiB("VmHWM:") / 1024.0;

    public double RssMiB() => StatusKiB("VmRSS:") / 1024.0;

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        await _log.DisposeAsync();
    }

    private long StatusKiB(string field)
    {
        var line = File.ReadLines($"/proc/{_process.Id}/status").First(l => l.StartsWith(field, StringComparison.Ordinal));
        return long.Parse(line[field.Length..].Trim().Split(' ')[0], CultureInfo.InvariantCulture);
    }

    private static ProcessStartInfo Start(Settings settings, string connectionString, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = Path.GetDirectoryName(settings.ApiDll)!,
        };
        start.ArgumentList.Add(settings.ApiDll);
        foreach (var arg in args)
        {
            start.ArgumentList.Add(arg);
        }

        var env = start.Environment;
        env["ASPNETCORE_ENVIRONMENT"] = "Production";
        env["ConnectionStrings__Default"] = connectionString;
        env["Database__MigrateOnStartup"] = "true";
        env["Jwt__SigningKey"] = settings.SigningKey;
        env["Audit__ChainKey"] = AuditChainKey;
        env["Jwt__AccessTokenMinutes"] = "600";
        env["Serilog__MinimumLevel__Default"] = "Warning";
        env["Serilog__MinimumLevel__Override__Microsoft.Hosting.Lifetime"] = "Warning";
        env["RateLimiting__AuthPermitsPerMinute"] = "1000";
        // The bench measures throughput from one user and one key: the per-principal buckets and the batch bound would cap it.
        env["RateLimiting__User__PermitsPerMinute"] = "0";
        env["RateLimiting__SensorKey__PermitsPerMinute"] = "0";
        env["RateLimiting__Anonymous__PermitsPerMinute"] = "0";
        env["RateLimiting__MaxConcurrentBatches"] = "64";
        env["RateLimiting__MaxConcurrentBatchesPerCaller"] = "64";
        env["RateLimiting__SensorKeyReservedBatchPercent"] = "0";
        env["Ingest__UserEventsPerSecond"] = "0";
        // (7) opens its streams as one user: the per-user bound (5 by default, 1,000 at most) would refuse all but five.
        env["AlertStream__MaxStreamsPerUser"] = Math.Clamp(settings.StreamClients, 5, 1_000).ToString(CultureInfo.InvariantCulture);
        // (9): notifications to the bench's own receivers on loopback, mail to its SMTP server.
        env["Notifications__AllowedNetworks__0"] = "127.0.0.1/32";
        env["Smtp__Host"] = "127.0.0.1";
        env["Smtp__Port"] = SmtpPort.ToString(CultureInfo.InvariantCulture);
        env["Smtp__Security"] = "None";
        env["Smtp__From"] = "bench@example.org";
        return start;
    }

    private async Task WaitUntilReadyAsync()
    {
        using var client = new HttpClient { BaseAddress = BaseAddress, Timeout = TimeSpan.FromSeconds(5) };
        var deadline = DateTime.UtcNow.AddMinutes(3);
        while (DateTime.UtcNow < deadline)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"The API exited with {_process.ExitCode}; see the API log.");
            }

            try
            {
                using var response = await client.GetAsync(new Uri("/health/ready", UriKind.Relative));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (HttpRequestException)
            {
            }
            catch (TaskCanceledException)
            {
            }

            await Task.Delay(250);
        }

        throw new TimeoutException("The API was not ready within 3 minutes; see the API log.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static void Write(StreamWriter log, string? line)
    {
        if (line is not null)
        {
            lock (log)
            {
                log.WriteLine(line);
            }
        }
    }
}
