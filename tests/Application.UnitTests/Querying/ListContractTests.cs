using ThreatPlatform.Application.Alerts.ListAlerts;
using ThreatPlatform.Application.Audit.ListAuditEntries;
using ThreatPlatform.Application.Events.ListEvents;
using ThreatPlatform.Application.Sensors.ListSensors;
using ThreatPlatform.Application.Users.ListUsers;

namespace ThreatPlatform.Application.UnitTests.Querying;

/// <summary>
/// Each list's query parameters and orderings as shared/API.md names them (written out here from API.md, not read from
/// the specs): a renamed filter would silently stop filtering for every client that sends the old name.
/// </summary>
public sealed class ListContractTests
{
    [Fact]
    public void Alerts_filter_and_order_as_api_md_says()
    {
        ListAlertsQuery.Spec.Filters.Select(f => f.Name).Should().Equal(
            "status", "event__severity", "event__source", "event__event_type", "created_at__gte", "created_at__lte",
            "detection__technique", "detection__confidence__gte", "assignee", "tags", "sla_breached", "rule");
        ListAlertsQuery.Spec.Orderings.Should().Equal("created_at", "updated_at", "status", "event__severity", "last_seen_at", "occurrences");
        ListAlertsQuery.Spec.DefaultOrdering.Should().Be("-created_at");
    }

    [Fact]
    public void Events_filter_and_order_as_api_md_says()
    {
        ListEventsQuery.Spec.Filters.Select(f => f.Name).Should().Equal(
            "severity", "source", "event_type", "occurred_at__gte", "occurred_at__lte", "detection__technique", "detection__confidence__gte");
        ListEventsQuery.Spec.Orderings.Should().Equal("timestamp", "occurred_at", "severity");
        ListEventsQuery.Spec.DefaultOrdering.Should().Be("-timestamp");
    }

    [Fact]
    public void Sensors_users_and_audit_entries_filter_and_order_as_api_md_says()
    {
        ListSensorsQuery.Spec.Filters.Select(f => f.Name).Should().Equal("kind", "is_active");
        ListSensorsQuery.Spec.Orderings.Should().Equal("id", "name", "created_at");
        ListSensorsQuery.Spec.DefaultOrdering.Should().Be("id");

        ListUsersQuery.Spec.Filters.Select(f => f.Name).Should().Equal("role", "is_active");
        ListUsersQuery.Spec.Orderings.Should().Equal("id", "username", "date_joined");
        ListUsersQuery.Spec.DefaultOrdering.Should().Be("id");

        ListAuditEntriesQuery.Spec.Filters.Select(f => f.Name).Should().Equal("action", "actor", "actor_id", "target", "ip", "at__gte", "at__lte");
        ListAuditEntriesQuery.Spec.Orderings.Should().Equal("id");
        ListAuditEntriesQuery.Spec.DefaultOrdering.Should().Be("-id");
    }
}
