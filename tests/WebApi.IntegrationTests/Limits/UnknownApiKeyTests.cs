using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Sensors;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Limits;

/// <summary>
/// The API counting its key lookups in the database (per prefix), with a small bucket per address for requests that
/// present a key: 10, then one a minute.
/// </summary>
public sealed class CountedKeyLookupApiFactory : ApiFactory
{
    public const int AddressBurst = 10;

    public ConcurrentDictionary<string, int> Lookups { get; } = new();

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("RateLimiting:ApiKeyAddress:PermitsPerMinute", "1");
        builder.UseSetting("RateLimiting:ApiKeyAddress:Burst", AddressBurst.ToString(System.Globalization.CultureInfo.InvariantCulture));
        builder.ConfigureTestServices(services => services.AddSingleton<IApiKeyRows>(sp =>
            new CountingRows(new PostgresApiKeyRows(sp.GetRequiredService<NpgsqlDataSource>()), Lookups)));
    }

    private sealed class CountingRows(IApiKeyRows rows, ConcurrentDictionary<string, int> lookups) : IApiKeyRows
    {
        public ValueTask<ApiKeyCredential?> FindAsync(string prefix, CancellationToken cancellationToken)
        {
            lookups.AddOrUpdate(prefix, 1, (_, n) => n + 1);
            return rows.FindAsync(prefix, cancellationToken);
        }
    }
}

public sealed class UnknownApiKeyTests(CountedKeyLookupApiFactory factory) : IClassFixture<CountedKeyLookupApiFactory>
{
    [Fact]
    public async Task Repeating_an_unknown_key_costs_one_database_lookup()
    {
        var key = await UnknownKeyAsync();
        var client = ClientFrom("203.0.113.50", key);

        for (var i = 0; i < 8; i++)
        {
            (await client.IngestAsync(EventsApi.NewEvent("LOW"))).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        factory.Lookups.GetValueOrDefault(Prefix(key)).Should().Be(1);
    }

    [Fact]
    public async Task Requests_with_keys_past_the_address_bucket_are_a_429_before_the_key_is_looked_up()
    {
        var client = factory.CreateClientFrom("203.0.113.51");
        for (var i = 0; i < CountedKeyLookupApiFactory.AddressBurst; i++)
        {
            (await Send(client, await UnknownKeyAsync())).StatusCode.Should().Be(HttpStatusCode.Unauthorized);
        }

        var lastKey = await UnknownKeyAsync();
        var limited = await Send(client, lastKey);

        await limited.ShouldBeProblemAsync(429);
        limited.Headers.RetryAfter.Should().NotBeNull();
        factory.Lookups.ContainsKey(Prefix(lastKey)).Should().BeFalse("the refused request never reached the key lookup");
        (await Send(factory.CreateClientFrom("203.0.113.52"), lastKey)).StatusCode.Should().Be(HttpStatusCode.Unauthorized, "another address has its own bucket");
        var analyst = await factory.SeedUserAsync(UserRole.Analyst);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", ApiFactory.MintToken(analyst.Id, analyst.Username, UserRole.Analyst));
        (await client.GetAsync(new Uri("/api/alerts/", UriKind.Relative))).StatusCode
            .Should().Be(HttpStatusCode.OK, "requests without a key are not counted in this bucket");
    }

    /// <summary>A well-formed key whose prefix no key has (a real key's shape, another prefix).</summary>
    private async Task<string> UnknownKeyAsync()
    {
        await WaitForTrustedCacheAsync();
        const string alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        var prefix = string.Concat(Enumerable.Range(0, 12).Select(_ => alphabet[Random.Shared.Next(alphabet.Length)]));
        var secret = Convert.ToBase64String(Guid.NewGuid().ToByteArray().Concat(Guid.NewGuid().ToByteArray()).ToArray())
            .TrimEnd('=').Replace('+', '-').Replace('/', '_');
        return $"tp_{prefix}_{secret}";
    }

    private static string Prefix(string key) => key.Split('_')[1];

    private HttpClient ClientFrom(string address, string key)
    {
        var client = factory.CreateClientFrom(address);
        client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return client;
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, string key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, EventsApi.Events) { Content = System.Net.Http.Json.JsonContent.Create(EventsApi.NewEvent("LOW")) };
        request.Headers.Authorization = new AuthenticationHeaderValue("ApiKey", key);
        return await client.SendAsync(request);
    }

    /// <summary>The key cache (misses included) is believed only while its listener is connected.</summary>
    private async Task WaitForTrustedCacheAsync()
    {
        factory.CreateClient().Dispose();
        var cache = factory.Services.GetRequiredService<ApiKeyCache>();
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (!cache.IsTrusted)
        {
            DateTime.UtcNow.Should().BeBefore(deadline, "the cache listener should have connected by now");
            await Task.Delay(20);
        }
    }
}
