using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using ThreatPlatform.Infrastructure.Configuration;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.WebApi.Limits;

namespace ThreatPlatform.WebApi.IntegrationTests.Foundation;

/// <summary>
/// Options are checked one way: a value read while services are registered (<see cref="Settings.Read{T}"/>) is refused
/// exactly as <c>ValidateOnStart</c> refuses it, each failure naming the key as an operator sets it.
/// </summary>
public sealed class SettingsTests
{
    [Fact]
    public void A_value_read_during_registration_is_refused_with_the_message_start_up_validation_gives()
    {
        var configuration = Configuration(("Database:AcquireTimeoutMilliseconds", "0"));

        var read = () => Settings.Read<DatabaseOptions>(configuration, DatabaseOptions.Section);

        read.Should().Throw<OptionsValidationException>().Which.Failures
            .Should().Equal(StartupFailures<DatabaseOptions>(configuration, DatabaseOptions.Section))
            .And.ContainSingle().Which.Should().StartWith("Database__AcquireTimeoutMilliseconds: ");
    }

    [Fact]
    public void A_value_read_during_registration_keeps_the_defaults_of_keys_left_unset()
    {
        var options = Settings.Read<DatabaseOptions>(Configuration(("Database:PoolSize", "7")), DatabaseOptions.Section);

        options.PoolSize.Should().Be(7);
        options.AcquireTimeoutMilliseconds.Should().Be(800);
    }

    [Fact]
    public void A_nested_limit_is_named_by_its_full_key()
    {
        var configuration = Configuration(("RateLimiting:Anonymous:Burst", "0"));

        StartupFailures<RequestLimitOptions>(configuration, RequestLimitOptions.Section)
            .Should().ContainSingle().Which.Should().StartWith("RateLimiting__Anonymous__Burst: ");
    }

    [Fact]
    public void A_message_that_names_its_key_already_is_kept_as_written()
    {
        var configuration = Configuration(("ForwardedHeaders:KnownProxies:0", "proxy.internal"));

        StartupFailures<TrustedProxyOptions>(configuration, TrustedProxyOptions.Section)
            .Should().Equal("ForwardedHeaders__KnownProxies has 'proxy.internal', which is not an IP address.");
    }

    private static IConfiguration Configuration(params (string Key, string Value)[] values) =>
        new ConfigurationBuilder().AddInMemoryCollection(values.Select(v => KeyValuePair.Create(v.Key, (string?)v.Value))).Build();

    /// <summary>What start-up validation reports for these options bound the way the API binds them.</summary>
    private static IEnumerable<string> StartupFailures<T>(IConfiguration configuration, string section)
        where T : class
    {
        var services = new ServiceCollection();
        services.AddOptions<T>().Bind(configuration.GetSection(section)).ValidateSettings(section).ValidateOnStart();
        using var provider = services.BuildServiceProvider();

        var validate = () => provider.GetRequiredService<IStartupValidator>().Validate();

        return validate.Should().Throw<OptionsValidationException>().Which.Failures;
    }
}
