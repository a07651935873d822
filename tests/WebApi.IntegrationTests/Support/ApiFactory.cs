using System.Net.Http.Headers;
using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Mvc.Testing.Handlers;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.WebApi.IntegrationTests.Contract;

namespace ThreatPlatform.WebApi.IntegrationTests.Support;

/// <summary>The real API in process, on its own real PostgreSQL database. One per test class (IClassFixture).</summary>
public class ApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    public const string SigningKey = "integration-tests-signing-key-0123456789-abcdefghijklmnop";
    public const string Issuer = "threatplatform";
    public const string Audience = "threatplatform-api";

    /// <summary>The audit chain key of every test host (base64 of 51 bytes).</summary>
    public const string AuditChainKey = "aW50ZWdyYXRpb24tdGVzdHMtYXVkaXQtY2hhaW4ta2V5LTAxMjM0NTY3ODktYWJjZGVm";

    private bool _ownsDatabase = true;

    public ApiFactory()
    {
    }

    /// <summary>A second API host on another host's database (as two replicas behind a load balancer); it drops nothing.</summary>
    protected ApiFactory(string connectionString)
    {
        ConnectionString = connectionString;
        _ownsDatabase = false;
    }

    public string ConnectionString { get; private set; } = string.Empty;

    /// <summary>This factory's audit checkpoint file (its own, like its database; a replica host on the database shares it).</summary>
    public string AuditCheckpointPath { get; private set; } = Path.Combine(Path.GetTempPath(), $"tp-audit-{Guid.NewGuid():N}", "checkpoints.log");

    public async Task InitializeAsync()
    {
        if (_ownsDatabase)
        {
            ConnectionString = await TestDatabase.CreateAsync();
        }
    }

    public new async Task DisposeAsync()
    {
        await base.DisposeAsync();
        if (_ownsDatabase)
        {
            await TestDatabase.DropAsync(ConnectionString);
            if (Directory.Exists(Path.GetDirectoryName(AuditCheckpointPath)))
            {
                Directory.Delete(Path.GetDirectoryName(AuditCheckpointPath)!, recursive: true);
            }
        }
    }

    /// <summary>A second API process on this factory's database (a replica); the caller disposes it, the database stays.</summary>
    public ApiFactory OnSameDatabase() => new() { ConnectionString = ConnectionString, _ownsDatabase = false, AuditCheckpointPath = AuditCheckpointPath };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        builder.UseEnvironment("Testing");
        builder.UseSetting("ConnectionStrings:Default", ConnectionString);
        // Every query reads the primary unless a test class gives its host a replica (ReplicaApiFactory): a replica in
        // the environment must not make other tests' reads lag behind their writes.
        builder.UseSetting("ConnectionStrings:ReadOnly", string.Empty);
        builder.UseSetting("Database:MigrateOnStartup", "false");
        builder.UseSetting("Jwt:SigningKey", SigningKey);
        builder.UseSetting("Jwt:Issuer", Issuer);
        builder.UseSetting("Jwt:Audience", Audience);
        builder.UseSetting("Audit:ChainKey", AuditChainKey);
        builder.UseSetting("Audit:CheckpointPath", AuditCheckpointPath);
        // Most test classes sign in many times from one (unknown) address; RateLimitTests sets a small limit of its own.
        builder.UseSetting("RateLimiting:AuthPermitsPerMinute", "100000");
        // Likewise the per-principal buckets are off (0) and the batch bound wide; RequestRateLimitTests and
        // BatchConcurrencyTests set small ones. A loaded test machine may take more than the default second to open a
        // connection: the pool tests set their own acquire timeout.
        builder.UseSetting("RateLimiting:User:PermitsPerMinute", "0");
        builder.UseSetting("RateLimiting:SensorKey:PermitsPerMinute", "0");
        builder.UseSetting("RateLimiting:Anonymous:PermitsPerMinute", "0");
        builder.UseSetting("RateLimiting:ApiKeyAddress:PermitsPerMinute", "0");
        builder.UseSetting("RateLimiting:MaxConcurrentBatches", "1000");
        // Tests send concurrent batches from one user and ingest many events as one user: the per-caller batch bound and
        // the per-user event meter are wide or off too; Limits/BatchSlotTests and UserIngestRateLimitTests set their own.
        builder.UseSetting("RateLimiting:MaxConcurrentBatchesPerCaller", "1000");
        builder.UseSetting("Ingest:UserEventsPerSecond", "0");
        builder.UseSetting("Database:AcquireTimeoutMilliseconds", "15000");
        builder.UseSetting("Serilog:MinimumLevel:Default", "Warning");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.EntityFrameworkCore", "Error");
        // The production work factor is slow on purpose; tests hash with 1,000 iterations, and one test checks the default (ProductionPasswordHashingTests).
        if (PasswordIterations is { } iterations)
        {
            builder.UseSetting("Auth:PasswordIterations", iterations);
        }

        builder.ConfigureServices(services => services.AddSingleton<IStartupFilter, TestClientAddress>());
        ConfigureTestServices(builder);
    }

    /// <summary>PBKDF2 iterations the test host hashes with; null leaves the production default.</summary>
    protected virtual string? PasswordIterations => "1000";

    private Task<OpenApiContract>? _contract;

    /// <summary>
    /// An HttpClient on the test host (redirects followed, cookies kept, as WebApplicationFactory's own) whose every
    /// response is checked against the OpenAPI document this host serves (<see cref="OpenApiContractHandler"/>).
    /// </summary>
    public new HttpClient CreateClient()
    {
        var handlers = new List<DelegatingHandler>();
        if (ClientOptions.AllowAutoRedirect)
        {
            handlers.Add(new RedirectHandler(ClientOptions.MaxAutomaticRedirections));
        }

        if (ClientOptions.HandleCookies)
        {
            handlers.Add(new CookieContainerHandler());
        }

        handlers.Add(new OpenApiContractHandler(ContractAsync));
        return CreateDefaultClient(ClientOptions.BaseAddress, [.. handlers]);
    }

    /// <summary>The document this host serves, fetched once past the contract check.</summary>
    private Task<OpenApiContract> ContractAsync() => _contract ??= FetchContractAsync();

    private async Task<OpenApiContract> FetchContractAsync()
    {
        using var client = Server.CreateClient();
        return await OpenApiContract.FromJsonAsync(await client.GetStringAsync(new Uri(Docs.DocsHosting.DocumentPath, UriKind.Relative)));
    }

    /// <summary>A request header the test host takes as the client's address (TestServer gives none of its own).</summary>
    public const string ClientAddressHeader = "X-Test-Client-Address";

    /// <summary>An HttpClient whose requests come from <paramref name="address"/>, as far as the API can tell.</summary>
    public HttpClient CreateClientFrom(string address)
    {
        var client = CreateClient();
        client.DefaultRequestHeaders.Add(ClientAddressHeader, address);
        return client;
    }

    private sealed class TestClientAddress : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, nextMiddleware) =>
            {
                if (System.Net.IPAddress.TryParse(context.Request.Headers[ClientAddressHeader].ToString(), out var address))
                {
                    context.Connection.RemoteIpAddress = address;
                }

                return nextMiddleware(context);
            });
            next(app);
        };
    }

    /// <summary>Hook for a test class's own factory to swap services (e.g. a FakeTimeProvider).</summary>
    protected virtual void ConfigureTestServices(IWebHostBuilder builder)
    {
    }

    public async Task<T> WithDbAsync<T>(Func<ApplicationDbContext, Task<T>> work)
    {
        await using var scope = Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        return await work(db);
    }

    /// <summary>
    /// Makes this database refuse to insert any alert raised by an event of <paramref name="source"/> (a trigger), to show
    /// what a commit that fails half-way leaves behind. Test-generated names only: DDL takes no parameters.
    /// </summary>
    public async Task RefuseAlertsFromAsync(string source)
    {
        var name = "refuse_alerts_" + source.Replace('-', '_');
        await using var connection = new Npgsql.NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var command = new Npgsql.NpgsqlCommand(
            $"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.source = '{source}' THEN RAISE EXCEPTION 'test: alert insert refused'; END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {name} BEFORE INSERT ON alerts FOR EACH ROW EXECUTE FUNCTION {name}();
            """,
            connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>Seeds an active user straight into the database (no HTTP), for tests that are not about sign-in.</summary>
    public Task<User> SeedUserAsync(UserRole role, string? username = null) => WithDbAsync(async db =>
    {
        var name = username ?? $"{role.ToWire().ToLowerInvariant()}_{Guid.NewGuid():N}"[..24];
        var user = User.Create(name, $"{name}@example.org", "not-a-usable-hash", role, DateTimeOffset.UtcNow);
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user;
    });

    /// <summary>An HttpClient carrying an access token for a freshly seeded user of the given role.</summary>
    public async Task<HttpClient> CreateClientAsAsync(UserRole role) => (await SignInAsync(role)).Client;

    /// <summary>A freshly seeded user of the given role and an HttpClient carrying their access token.</summary>
    public async Task<(HttpClient Client, User User)> SignInAsync(UserRole role)
    {
        var user = await SeedUserAsync(role);
        var client = CreateClient();
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", MintToken(user.Id, user.Username, role));
        return (client, user);
    }

    /// <summary>Mints an access token the way the API does (same key, issuer, audience, claims), with overridable parts.</summary>
    public static string MintToken(
        long userId,
        string username,
        UserRole role,
        DateTime? expires = null,
        string? issuer = null,
        string? audience = null,
        string? signingKey = null)
    {
        var credentials = new SigningCredentials(
            new SymmetricSecurityKey(Encoding.UTF8.GetBytes(signingKey ?? SigningKey)), SecurityAlgorithms.HmacSha256);
        var expiry = expires ?? DateTime.UtcNow.AddMinutes(15);
        var descriptor = new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience ?? Audience,
            Subject = new ClaimsIdentity(
            [
                new Claim("sub", userId.ToString(System.Globalization.CultureInfo.InvariantCulture)),
                new Claim("username", username),
                new Claim("role", role.ToWire()),
            ]),
            IssuedAt = expiry.AddMinutes(-15),
            NotBefore = expiry.AddMinutes(-15),
            Expires = expiry,
            SigningCredentials = credentials,
        };
        return new JsonWebTokenHandler().CreateToken(descriptor);
    }
}
