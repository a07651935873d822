using ThreatPlatform.Application.Alerts.ListAlerts;
using ThreatPlatform.Application.Alerts.UpdateAlertStatus;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Domain.Alerts;

namespace ThreatPlatform.Application.UnitTests.Alerts;

public sealed class QueryParametersTests
{
    [Fact]
    public void Enum_lists_accept_repeats_commas_any_case_and_drop_duplicates()
    {
        var parameters = new QueryParameters();

        var statuses = parameters.EnumList<AlertStatus>(["open, Acknowledged", "OPEN", "in_progress"], "status");

        parameters.ThrowIfInvalid();
        statuses.Should().Equal(AlertStatus.Open, AlertStatus.Acknowledged, AlertStatus.InProgress);
    }

    [Fact]
    public void Every_bad_parameter_is_reported_under_its_own_name_in_one_error()
    {
        var parameters = new QueryParameters();
        parameters.EnumList<AlertStatus>(["OPEN,FOO"], "status");
        parameters.Date("31/12/2026", "created_at__gte");
        parameters.Ordering("bogus", ListAlertsQueryHandler.OrderFields, default);

        var act = parameters.ThrowIfInvalid;

        act.Should().Throw<RequestValidationException>().Which.Errors.Keys
            .Should().BeEquivalentTo("status", "created_at__gte", "ordering");
    }

    [Theory]
    [InlineData("2026-11-24", "2026-11-24T00:00:00Z")]
    [InlineData("2026-11-24T10:30:00Z", "2026-11-24T10:30:00Z")]
    [InlineData("2026-11-24T11:30:00+01:00", "2026-11-24T10:30:00Z")]
    [InlineData("2026-11-24T10:30:00", "2026-11-24T10:30:00Z")]
    [InlineData("2026-11-24 10:30:00.123456Z", "2026-11-24T10:30:00.123456Z")]
    public void Dates_read_iso_8601_and_treat_no_offset_as_utc(string text, string expected)
    {
        var parameters = new QueryParameters();

        var date = parameters.Date(text, "created_at__gte");

        parameters.ThrowIfInvalid();
        date.Should().Be(DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData("event__severity", AlertOrderField.Severity, false)]
    [InlineData("-updated_at", AlertOrderField.UpdatedAt, true)]
    [InlineData(null, AlertOrderField.CreatedAt, true)]
    public void Ordering_reads_the_field_and_its_direction(string? text, AlertOrderField field, bool descending)
    {
        var parameters = new QueryParameters();

        var ordering = parameters.Ordering(text, ListAlertsQueryHandler.OrderFields, new Ordering<AlertOrderField>(AlertOrderField.CreatedAt, true));

        parameters.ThrowIfInvalid();
        ordering.Should().Be(new Ordering<AlertOrderField>(field, descending));
    }

    [Fact]
    public void Search_is_trimmed_and_bounded()
    {
        var parameters = new QueryParameters();

        parameters.Search("  beacon ").Should().Be("beacon");
        parameters.Search(new string('s', QueryParameters.MaxSearchLength + 1));

        parameters.Invoking(p => p.ThrowIfInvalid()).Should().Throw<RequestValidationException>()
            .Which.Errors.Keys.Should().Equal("search");
    }

    [Theory]
    [InlineData("ACKNOWLEDGED", null, true)]
    [InlineData("false_positive", "dup of #12", true)]
    [InlineData(null, null, false)]
    [InlineData("CLOSED", null, false)]
    public void Status_change_needs_a_known_status(string? status, string? note, bool valid)
    {
        var result = new UpdateAlertStatusCommandValidator().Validate(new UpdateAlertStatusCommand(1, status, note));

        result.IsValid.Should().Be(valid);
    }
}
