using ThreatPlatform.Application.Alerts.BulkUpdateAlerts;
using ThreatPlatform.Application.Alerts.UpdateAlertStatus;
using ThreatPlatform.Domain.Alerts;

namespace ThreatPlatform.Application.UnitTests.Alerts;

/// <summary>The bounds API.md sets on a status change and on a bulk request, each refused naming its field.</summary>
public sealed class AlertCommandValidatorTests
{
    private static readonly BulkUpdateAlertsCommandValidator Bulk = new();
    private static readonly UpdateAlertStatusCommandValidator Status = new();

    [Theory]
    [InlineData(1, true)]
    [InlineData(500, true)]
    [InlineData(0, false)]
    [InlineData(501, false)]
    public void A_bulk_request_names_1_to_500_alerts(int count, bool valid)
    {
        var command = new BulkUpdateAlertsCommand([.. Enumerable.Range(1, count).Select(i => (long)i)], BulkAlertAction.Status, AlertStatus.Resolved);

        var result = Bulk.Validate(command);

        result.IsValid.Should().Be(valid);
        if (!valid)
        {
            result.Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Ids");
        }
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-4)]
    public void Alert_ids_are_positive(long id) =>
        Bulk.Validate(new BulkUpdateAlertsCommand([1, id], BulkAlertAction.Status, AlertStatus.Resolved))
            .Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Ids");

    [Fact]
    public void The_status_action_needs_a_status_and_the_others_do_not()
    {
        Bulk.Validate(new BulkUpdateAlertsCommand([1], BulkAlertAction.Status))
            .Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Status");
        Bulk.Validate(new BulkUpdateAlertsCommand([1], BulkAlertAction.Assign)).IsValid.Should().BeTrue();
    }

    [Fact]
    public void The_tag_action_needs_a_tag_to_add_or_to_remove()
    {
        Bulk.Validate(new BulkUpdateAlertsCommand([1], BulkAlertAction.Tag, AddTags: [], RemoveTags: []))
            .Errors.Should().ContainSingle().Which.PropertyName.Should().Be("add_tags");
        Bulk.Validate(new BulkUpdateAlertsCommand([1], BulkAlertAction.Tag)).IsValid.Should().BeFalse();
        Bulk.Validate(new BulkUpdateAlertsCommand([1], BulkAlertAction.Tag, AddTags: ["a"])).IsValid.Should().BeTrue();
        Bulk.Validate(new BulkUpdateAlertsCommand([1], BulkAlertAction.Tag, RemoveTags: ["a"])).IsValid.Should().BeTrue();
        Bulk.Validate(new BulkUpdateAlertsCommand([1], BulkAlertAction.Assign, AddTags: [])).IsValid.Should().BeTrue("only the tag action needs tags");
    }

    [Theory]
    [InlineData(2_000, true)]
    [InlineData(2_001, false)]
    public void A_note_is_at_most_2000_characters(int length, bool valid)
    {
        var note = new string('n', length);

        Status.Validate(new UpdateAlertStatusCommand(1, AlertStatus.Acknowledged, note)).IsValid.Should().Be(valid);
        Bulk.Validate(new BulkUpdateAlertsCommand([1], BulkAlertAction.Status, AlertStatus.Acknowledged, note)).IsValid.Should().Be(valid);
    }

    [Fact]
    public void A_status_outside_the_lifecycle_is_refused() =>
        Status.Validate(new UpdateAlertStatusCommand(1, (AlertStatus)9, null))
            .Errors.Should().ContainSingle().Which.PropertyName.Should().Be("Status");
}
