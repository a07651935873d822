using System.Globalization;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Limits;

/// <summary>A one-second statement_timeout, a pool of one connection and a 300 ms acquire timeout.</summary>
public sealed class TightDatabaseApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Database:StatementTimeoutSeconds", "1");
        builder.UseSetting("Database:PoolSize", "1");
        builder.UseSetting("Database:AcquireTimeoutMilliseconds", "300");
    }
}

/// <remarks>A test class's tests run one after another, so each has the pool's one connection to itself.</remarks>
public sealed class DatabaseLimitTests(TightDatabaseApiFactory factory) : IClassFixture<TightDatabaseApiFactory>
{
    [Fact]
    public async Task A_query_past_the_statement_timeout_is_a_503_problem_with_retry_after_and_the_next_request_works()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);
        var slow = "slow-" + Guid.NewGuid().ToString("N")[..8];
        await SleepOnInsertAsync(slow, seconds: 5);

        var response = await client.IngestAsync(EventsApi.NewEvent("LOW", slow));

        var problem = await response.ShouldBeProblemAsync(503);
        problem.GetProperty("detail").GetString().Should().Contain("StatementTimeoutSeconds");
        int.Parse(response.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(1);
        (await client.IngestAsync(EventsApi.NewEvent("LOW"))).StatusCode.Should().Be(HttpStatusCode.Created);
        (await factory.WithDbAsync(db => Task.FromResult(db.Events.Count(e => e.Source == slow)))).Should().Be(0, "the cancelled insert left nothing");
    }

    [Fact]
    public async Task An_exhausted_pool_is_a_503_problem_with_retry_after_and_the_api_recovers_when_a_connection_is_free()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);
        var dataSource = factory.Services.GetRequiredService<NpgsqlDataSource>();
        var held = await OpenWhenFreeAsync(dataSource);
        HttpResponseMessage exhausted;
        try
        {
            exhausted = await client.GetAsync(EventsApi.Events);
        }
        finally
        {
            await held.DisposeAsync();
        }

        var problem = await exhausted.ShouldBeProblemAsync(503);
        problem.GetProperty("detail").GetString().Should().Contain("connection");
        exhausted.Headers.GetValues("Retry-After").Single().Should().Be("1");
        (await client.GetAsync(EventsApi.Events)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("/api/alerts/?search=ab")]
    [InlineData("/api/events/?search=%20x%20")]
    [InlineData("/api/sensors/?search=fw")]
    public async Task A_search_under_three_characters_is_a_400_naming_search(string url)
    {
        var client = await factory.CreateClientAsAsync(UserRole.Admin);

        var problem = await (await client.GetAsync(new Uri(url, UriKind.Relative))).ShouldBeProblemAsync(400);

        problem.GetProperty("errors").GetProperty("search")[0].GetString().Should().Contain("at least 3");
    }

    [Fact]
    public async Task A_search_of_three_characters_is_served()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);
        (await client.GetAsync(new Uri("/api/alerts/?search=abc", UriKind.Relative))).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    // The pool's one connection may still be on its way back from the previous request.
    private static async Task<NpgsqlConnection> OpenWhenFreeAsync(NpgsqlDataSource dataSource)
    {
        for (var attempt = 0; ; attempt++)
        {
            try
            {
                return await dataSource.OpenConnectionAsync();
            }
            catch (NpgsqlException) when (attempt < 10)
            {
            }
        }
    }

    private async Task SleepOnInsertAsync(string source, int seconds)
    {
        var name = "sleep_" + source.Replace('-', '_');
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(
            $"""
            CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$
            BEGIN
                IF NEW.source = '{source}' THEN PERFORM pg_sleep({seconds}); END IF;
                RETURN NEW;
            END $$;
            CREATE TRIGGER {name} BEFORE INSERT ON events FOR EACH ROW EXECUTE FUNCTION {name}();
            """,
            connection);
        await command.ExecuteNonQueryAsync();
    }
}
