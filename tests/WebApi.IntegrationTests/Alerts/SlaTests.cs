using System.Globalization;
using System.Text.Json;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

/// <summary>SLA due times and breaches on a clock the test moves (defaults: CRITICAL 15 min / 4 h, HIGH 1 h / 24 h).</summary>
public sealed class SlaTests(FakeClockApiFactory factory) : IClassFixture<FakeClockApiFactory>
{
    [Theory]
    [InlineData("CRITICAL", 15, 240)]
    [InlineData("HIGH", 60, 1440)]
    public async Task A_raised_alert_is_due_by_its_severitys_targets(string severity, int ackMinutes, int resolveMinutes)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var alert = await analyst.AlertAsync(await analyst.RaiseAlertAsync(severity));

        var created = Time(alert, "created_at");
        Time(alert, "ack_due_at").Should().Be(created.AddMinutes(ackMinutes));
        Time(alert, "resolve_due_at").Should().Be(created.AddMinutes(resolveMinutes));
        alert.GetProperty("sla_breached").GetBoolean().Should().BeFalse();
    }

    [Fact]
    public async Task Batch_ingest_sets_the_same_due_times_as_single_ingest()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();

        var single = await analyst.AlertAsync(await analyst.RaiseAlertAsync("CRITICAL", source));
        (await analyst.PostArrayAsync([BatchApi.Event(source, "CRITICAL", "batch-1"), BatchApi.Event(source, "HIGH", "batch-2")])).EnsureSuccessStatusCode();
        var batch = (await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&event__severity=CRITICAL")).GetProperty("results")
            .EnumerateArray().Single(a => a.GetProperty("id").GetInt64() != single.GetProperty("id").GetInt64());
        var batchHigh = (await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&event__severity=HIGH")).GetProperty("results")[0];

        Time(batch, "created_at").Should().Be(Time(single, "created_at"), "the clock stood still");
        Time(batch, "ack_due_at").Should().Be(Time(single, "ack_due_at"));
        Time(batch, "resolve_due_at").Should().Be(Time(single, "resolve_due_at"));
        Time(batchHigh, "ack_due_at").Should().Be(Time(batchHigh, "created_at").AddHours(1));
        Time(batchHigh, "resolve_due_at").Should().Be(Time(batchHigh, "created_at").AddHours(24));
    }

    [Fact]
    public async Task Breaches_are_computed_with_the_clock_and_the_filter_agrees()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = BatchApi.NewSource();
        var pending = await admin.RaiseAlertAsync("CRITICAL", source);
        var acknowledgedInTime = await admin.RaiseAlertAsync("CRITICAL", source);
        var acknowledgedLate = await admin.RaiseAlertAsync("CRITICAL", source);
        factory.Clock.Advance(TimeSpan.FromMinutes(5));
        (await admin.ChangeStatusAsync(acknowledgedInTime, "ACKNOWLEDGED")).EnsureSuccessStatusCode();

        factory.Clock.Advance(TimeSpan.FromMinutes(11));
        (await admin.ChangeStatusAsync(acknowledgedLate, "ACKNOWLEDGED")).EnsureSuccessStatusCode();

        (await admin.AlertAsync(pending)).GetProperty("sla_breached").GetBoolean().Should().BeTrue();
        (await admin.AlertAsync(acknowledgedInTime)).GetProperty("sla_breached").GetBoolean().Should().BeFalse();
        (await admin.AlertAsync(acknowledgedLate)).GetProperty("sla_breached").GetBoolean().Should().BeTrue();
        (await admin.GetJsonAsync($"/api/alerts/?event__source={source}&sla_breached=true")).Ids().Should().BeEquivalentTo([pending, acknowledgedLate]);
        (await admin.GetJsonAsync($"/api/alerts/?event__source={source}&sla_breached=false")).Ids().Should().Equal(acknowledgedInTime);
    }

    [Fact]
    public async Task An_alert_closed_in_time_stays_unbreached_after_its_due_times_pass()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var source = BatchApi.NewSource();
        var alertId = await admin.RaiseAlertAsync("HIGH", source);
        factory.Clock.Advance(TimeSpan.FromMinutes(10));
        (await admin.ChangeStatusAsync(alertId, "RESOLVED")).EnsureSuccessStatusCode();

        factory.Clock.Advance(TimeSpan.FromDays(2));

        (await admin.AlertAsync(alertId)).GetProperty("sla_breached").GetBoolean().Should().BeFalse();
        (await admin.GetJsonAsync($"/api/alerts/?event__source={source}&sla_breached=false")).Ids().Should().Equal(alertId);
        (await admin.GetJsonAsync($"/api/alerts/?event__source={source}&sla_breached=true")).Ids().Should().BeEmpty();
    }

    private static DateTimeOffset Time(JsonElement alert, string field) =>
        DateTimeOffset.Parse(alert.GetProperty(field).GetString()!, CultureInfo.InvariantCulture);
}
