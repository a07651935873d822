using System.Text.Json;
using Microsoft.AspNetCore.Http;
using ThreatPlatform.Application.Alerts.ListAlerts;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Endpoints;
using ThreatPlatform.WebApi.Events;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.IntegrationTests.Wire;

/// <summary>The edge's parsers, without HTTP: wire text in, typed requests or every bad field out.</summary>
public sealed class WireParsingTests
{
    private static readonly string[] Allowed = ["ACKNOWLEDGED", "RESOLVED", "FALSE_POSITIVE"];
    private static readonly string[] Unstorable = ["a\0b", "a\ud800b"];

    private static ListCriteria<Alert> AlertCriteria(string queryString)
    {
        var http = new DefaultHttpContext();
        http.Request.QueryString = new QueryString(queryString);
        return http.Request.ListCriteria(ListAlertsQuery.Spec);
    }

    private static IReadOnlyDictionary<string, string[]> Errors(Action act)
    {
        act.Should().Throw<RequestValidationException>();
        try
        {
            act();
        }
        catch (RequestValidationException e)
        {
            return e.Errors;
        }

        return new Dictionary<string, string[]>();
    }

    [Fact]
    public void Enum_lists_accept_repeats_commas_any_case_and_drop_duplicates()
    {
        var criteria = AlertCriteria("?status=open,%20Acknowledged&status=OPEN&status=in_progress");

        criteria.Filters.Should().ContainSingle().Which.Parameter.Should().Be("status");
        var predicate = criteria.Filters[0].Predicate.Compile();
        var alerts = Enum.GetValues<AlertStatus>().Select(AlertIn).ToList();
        alerts.Where(predicate).Select(a => a.Status)
            .Should().Equal(AlertStatus.Open, AlertStatus.Acknowledged, AlertStatus.InProgress);
    }

    [Fact]
    public void Every_bad_parameter_is_reported_under_its_own_name_in_one_error()
    {
        var errors = Errors(() => AlertCriteria("?status=OPEN,FOO&created_at__gte=31/12/2026&ordering=bogus&page=0&page_size=x"));

        errors.Keys.Should().BeEquivalentTo("status", "created_at__gte", "ordering", "page", "page_size");
        errors["status"].Should().ContainSingle().Which.Should().Contain("OPEN, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, FALSE_POSITIVE");
    }

    [Theory]
    [InlineData("2026-11-24", "2026-11-24T00:00:00Z")]
    [InlineData("2026-11-24T10:30:00Z", "2026-11-24T10:30:00Z")]
    [InlineData("2026-11-24T11:30:00%2B01:00", "2026-11-24T10:30:00Z")]
    [InlineData("2026-11-24T10:30:00", "2026-11-24T10:30:00Z")]
    [InlineData("2026-11-24%2010:30:00.123456Z", "2026-11-24T10:30:00.123456Z")]
    public void Dates_read_iso_8601_and_treat_no_offset_as_utc(string text, string expected)
    {
        var bound = DateTimeOffset.Parse(expected, System.Globalization.CultureInfo.InvariantCulture);

        var criteria = AlertCriteria("?created_at__gte=" + text);

        var predicate = criteria.Filters.Should().ContainSingle().Subject.Predicate.Compile();
        predicate(AlertCreatedAt(bound)).Should().BeTrue();
        predicate(AlertCreatedAt(bound.AddTicks(-10))).Should().BeFalse();
    }

    [Fact]
    public void Search_is_trimmed_and_bounded()
    {
        AlertCriteria("?search=%20%20beacon%20").Search.Should().Be("beacon");

        Errors(() => AlertCriteria("?search=" + new string('s', 201))).Keys.Should().Equal("search");
    }

    [Theory]
    [InlineData("?search=a%00b", "search")]
    [InlineData("?event__source=%00", "event__source")]
    public void Text_postgresql_cannot_store_is_a_400_naming_the_parameter(string query, string parameter)
    {
        Errors(() => AlertCriteria(query)).Keys.Should().Equal(parameter);
    }

    [Fact]
    public void Page_size_above_the_maximum_is_clamped_and_ordering_is_kept_as_given()
    {
        var criteria = AlertCriteria("?page=3&page_size=1000&ordering=-event__severity");

        criteria.Should().BeEquivalentTo(new { Page = 3, PageSize = 100, Ordering = "-event__severity" });
    }

    [Theory]
    [InlineData("ACKNOWLEDGED", AlertStatus.Acknowledged)]
    [InlineData("false_positive", AlertStatus.FalsePositive)]
    public void Status_body_reads_a_known_status_in_any_case(string status, AlertStatus expected)
    {
        new AlertEndpoints.UpdateStatusBody(status, " dup of #12 ").ToCommand(1)
            .Should().Be(new Application.Alerts.UpdateAlertStatus.UpdateAlertStatusCommand(1, expected, "dup of #12"));
    }

    [Theory]
    [InlineData(null, "status is required.")]
    [InlineData("CLOSED", "'CLOSED' is not a valid status; use one of OPEN, ACKNOWLEDGED, IN_PROGRESS, RESOLVED, FALSE_POSITIVE.")]
    public void Status_body_without_a_known_status_is_a_400_naming_status(string? status, string message)
    {
        Errors(() => new AlertEndpoints.UpdateStatusBody(status, null).ToCommand(1))["status"].Should().Equal(message);
    }

    [Fact]
    public void Role_body_reads_roles_in_any_case_and_names_role_when_unknown()
    {
        new UserEndpoints.UpdateUserBody("analyst", null).ToCommand(2).Role.Should().Be(UserRole.Analyst);
        new UserEndpoints.UpdateUserBody(null, false).ToCommand(2).Role.Should().BeNull();
        Errors(() => new UserEndpoints.UpdateUserBody("SUPERUSER", null).ToCommand(2))["role"]
            .Should().Equal("'SUPERUSER' is not a valid role; use one of ANALYST, ADMIN.");
    }

    [Fact]
    public void Event_body_reports_every_unreadable_field_at_once()
    {
        var body = Event() with { Severity = "urgent", SourceIp = "10.0.0", DestinationIp = "fe80::zz", Metadata = Json("[1]") };

        var errors = Errors(() => body.Read());

        errors.Keys.Should().BeEquivalentTo("severity", "source_ip", "destination_ip", "metadata");
        errors["severity"].Should().ContainSingle().Which.Should().Contain("LOW, MEDIUM, HIGH, CRITICAL");
    }

    [Theory]
    [InlineData("source")]
    [InlineData("event_type")]
    [InlineData("description")]
    [InlineData("external_id")]
    [InlineData("metadata")]
    public void Event_text_with_nul_or_a_lone_surrogate_is_refused_naming_the_field(string field)
    {
        foreach (var bad in Unstorable)
        {
            var body = field switch
            {
                "source" => Event() with { Source = bad },
                "event_type" => Event() with { EventType = bad },
                "description" => Event() with { Description = bad },
                "external_id" => Event() with { ExternalId = bad },
                _ => Event() with { Metadata = Json(bad == "a\0b" ? """{"k": "a\u0000b"}""" : """{"a\ud800b": 1}""") },
            };

            Errors(() => body.Read()).Keys.Should().Equal(field);
        }
    }

    [Fact]
    public void Event_body_becomes_a_trimmed_typed_input_in_utc()
    {
        var body = Event() with { Source = "  fw-1 ", ExternalId = " ext-1 ", SourceIp = " 10.0.0.1 ", OccurredAt = new DateTimeOffset(2026, 11, 24, 11, 0, 0, TimeSpan.FromHours(1)) };

        var input = body.Read();

        input.Source.Should().Be("fw-1");
        input.ExternalId.Should().Be("ext-1");
        input.Severity.Should().Be(Severity.High);
        input.SourceIp!.ToString().Should().Be("10.0.0.1");
        input.OccurredAt!.Value.Offset.Should().Be(TimeSpan.Zero);
        input.Metadata.Should().Be("""{"k": 1}""");
    }

    [Fact]
    public void An_illegal_transition_is_a_409_naming_status_and_the_allowed_states_by_wire_name()
    {
        var problem = ProblemDetailsExceptionHandler.Map(
            new IllegalTransition(AlertStatus.Open, AlertStatus.InProgress, [AlertStatus.Acknowledged, AlertStatus.Resolved, AlertStatus.FalsePositive]));

        problem.Status.Should().Be(409);
        problem.Detail.Should().Be("An alert cannot move from OPEN to IN_PROGRESS; allowed next states: ACKNOWLEDGED, RESOLVED, FALSE_POSITIVE.");
        problem.Extensions["allowed"].Should().BeEquivalentTo(Allowed);
        ((IReadOnlyDictionary<string, string[]>)problem.Extensions["errors"]!).Keys.Should().Equal("status");
    }

    private static EventBody Event() => new("fw-1", "port_scan", "high", null, null, null, null, Json("""{"k": 1}"""), null);

    private static JsonElement Json(string text) => JsonDocument.Parse(text).RootElement.Clone();

    private static Alert AlertCreatedAt(DateTimeOffset at) =>
        Alert.RaiseFor(SecurityEvent.Ingest("fw-1", "scan", Severity.High, null, null, null, null, null, null, 1, null, at), at)!;

    /// <summary>An alert brought to <paramref name="status"/> along allowed moves.</summary>
    private static Alert AlertIn(AlertStatus status)
    {
        var alert = AlertCreatedAt(DateTimeOffset.UnixEpoch);
        AlertStatus[] path = status switch
        {
            AlertStatus.Acknowledged => [AlertStatus.Acknowledged],
            AlertStatus.InProgress => [AlertStatus.Acknowledged, AlertStatus.InProgress],
            _ => [status],
        };
        foreach (var next in path)
        {
            alert.ChangeStatus(next, 1, null, DateTimeOffset.UnixEpoch);
        }

        return alert;
    }
}
