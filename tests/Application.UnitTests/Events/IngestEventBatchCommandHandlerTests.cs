using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.UnitTests.Events;

public sealed class IngestEventBatchCommandHandlerTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly IEventBatchWriter _writer = Substitute.For<IEventBatchWriter>();
    private readonly ICurrentUser _user = Substitute.For<ICurrentUser>();
    private readonly ISourceOwnership _ownership = Substitute.For<ISourceOwnership>();
    private readonly IIngestRateLimiter _rateLimiter = Substitute.For<IIngestRateLimiter>();
    private readonly IAlertMetrics _alertMetrics = Substitute.For<IAlertMetrics>();
    private readonly FakeTimeProvider _clock = new(Now);
    private IReadOnlyList<SecurityEvent> _written = [];
    private int? _storedOverride;
    private int _alertsTheWriterReports;
    private int _foldsTheWriterReports;
    private bool _writerFails;
    private List<SecurityEvent> _stored = [];

    public IngestEventBatchCommandHandlerTests()
    {
        _user.Id.Returns(7);
        _ownership.OwnersOfAsync(default!, default).ReturnsForAnyArgs(new Dictionary<string, long>());
        _writer.WriteAsync(default!, default!, default!, default, default!, default).ReturnsForAnyArgs(call =>
        {
            if (_writerFails)
            {
                throw new InvalidOperationException("rolled back");
            }

            _written = call.Arg<IReadOnlyList<SecurityEvent>>().ToList();
            var stored = _written.Take(_storedOverride ?? _written.Count).ToList();
            return new EventBatchWriteResult(
                stored.Count,
                _alertsTheWriterReports,
                stored.Where(e => e.ExternalId is not null).Select(e => (e.Source, e.ExternalId!)).ToHashSet(),
                _foldsTheWriterReports);
        });
        _writer.FindStoredAsync(default!, default).ReturnsForAnyArgs(call =>
        {
            var keys = call.Arg<IReadOnlyCollection<(string Source, string ExternalId)>>();
            return _stored.Where(e => keys.Contains((e.Source, e.ExternalId!))).ToList();
        });
    }

    private IngestEventBatchCommandHandler Handler() =>
        new(_writer, new EventInputValidator(_clock), _user, _ownership, _rateLimiter, _alertMetrics, _clock, SlaPolicy.Default, new NoRules());

    private sealed class NoRules : IDetectionRuleSet
    {
        public ValueTask<ActiveRules> CurrentAsync(CancellationToken cancellationToken) => ValueTask.FromResult(ActiveRules.None);

        public void Changed()
        {
        }
    }

    private static BatchItem Item(Severity severity = Severity.Low, string? externalId = null, string source = "fw-1", string eventType = "scan") =>
        BatchItem.Of(new EventInput { Source = source, EventType = eventType, Severity = severity, ExternalId = externalId });

    private ValueTask<BatchIngestResult> Send(params BatchItem[] items) => Handler().Handle(new IngestEventBatchCommand(items), CancellationToken.None);

    [Fact]
    public async Task Invalid_items_are_rejected_by_index_with_snake_case_fields_and_the_rest_are_written()
    {
        var result = await Send(
            Item(),
            BatchItem.Of(new EventInput { Source = "fw-1", Severity = Severity.Low, Description = new string('d', 10_001) }),
            Item(Severity.High),
            BatchItem.Malformed("severity", "'SEVERE' is not a valid severity."));

        result.Accepted.Should().Be(2);
        result.Rejected.Select(r => r.Index).Should().Equal(1, 3);
        result.Rejected[0].Errors.Keys.Should().BeEquivalentTo("event_type", "description");
        result.Rejected[1].Errors.Keys.Should().Equal("severity");
        _written.Select(e => e.Severity).Should().Equal(Severity.Low, Severity.High);
    }

    [Fact]
    public async Task Unreadable_items_are_rejected_with_the_reason_the_reader_gave()
    {
        var result = await Send(BatchItem.Malformed("body", "The line is not valid JSON."), Item());

        result.Rejected.Should().ContainSingle().Which.Should().BeEquivalentTo(new
        {
            Index = 0,
            Errors = new Dictionary<string, string[]> { ["body"] = ["The line is not valid JSON."] },
        });
        result.Accepted.Should().Be(1);
    }

    [Fact]
    public async Task A_repeated_source_and_external_id_in_one_batch_is_written_once_and_the_first_wins()
    {
        var result = await Send(Item(Severity.High, "a"), Item(Severity.High, "a"), Item(Severity.High, "a"), Item(Severity.Low, "a", source: "fw-2"));

        result.Duplicates.Should().Be(2);
        result.Accepted.Should().Be(2);
        _written.Select(e => (e.Source, e.ExternalId, e.Severity)).Should().Equal(("fw-1", "a", Severity.High), ("fw-2", "a", Severity.Low));
    }

    [Fact]
    public async Task Events_without_an_external_id_are_never_duplicates_of_each_other()
    {
        var result = await Send(Item(), Item(), Item(externalId: null));

        result.Duplicates.Should().Be(0);
        _written.Should().HaveCount(3);
    }

    [Fact]
    public async Task Events_the_writer_did_not_store_count_as_duplicates_of_identical_stored_ones()
    {
        _storedOverride = 1;
        _stored = [Stored(Severity.Low, "b")];

        var result = await Send(Item(externalId: "a"), Item(externalId: "b"), Item(externalId: "b"));

        result.Should().BeEquivalentTo(new { Accepted = 1, Duplicates = 2 });
        result.Rejected.Should().BeEmpty();
    }

    [Fact]
    public async Task A_stored_key_reused_with_other_content_is_rejected_as_an_idempotency_conflict()
    {
        _storedOverride = 1;
        _stored = [Stored(Severity.Critical, "b")];

        var result = await Send(Item(externalId: "a"), Item(Severity.Low, "b"));

        result.Should().BeEquivalentTo(new { Accepted = 1, Duplicates = 0 });
        result.Rejected.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Index = 1, Reason = "idempotency_conflict" });
        result.Rejected[0].Errors.Keys.Should().Equal("external_id");
    }

    [Fact]
    public async Task A_key_repeated_in_one_batch_with_other_content_is_rejected_and_the_first_is_written()
    {
        var result = await Send(Item(Severity.High, "k"), Item(Severity.Low, "k"));

        result.Should().BeEquivalentTo(new { Accepted = 1, Duplicates = 0 });
        result.Rejected.Should().ContainSingle().Which.Reason.Should().Be("idempotency_conflict");
        _written.Should().ContainSingle().Which.Severity.Should().Be(Severity.High);
    }

    private static SecurityEvent Stored(Severity severity, string externalId) =>
        SecurityEvent.Ingest("fw-1", "scan", severity, null, null, null, null, null, externalId, 7, null, Now.AddDays(-1));

    [Fact]
    public async Task The_writer_applies_the_domains_alert_rule_and_no_copy_of_it()
    {
        await Send(Item(Severity.Critical));

        await _writer.Received(1).WriteAsync(
            Arg.Any<IReadOnlyList<SecurityEvent>>(),
            Arg.Is<IReadOnlyCollection<Severity>>(s => ReferenceEquals(s, SeverityRules.AlertingSeverities)),
            SlaPolicy.Default,
            Now,
            Arg.Any<RuleHits>(),
            Arg.Any<CancellationToken>());
        SeverityRules.AlertingSeverities.Should().BeEquivalentTo([Severity.High, Severity.Critical]);
    }

    [Fact]
    public async Task Alerts_created_is_what_the_writer_reports()
    {
        // Grouping may attach severe events to existing alerts, so the writer's figure is not a count of severe
        // events: 1 here, though two of the four items are severe. The handler must pass it on, not recompute it.
        _alertsTheWriterReports = 1;

        var result = await Send(Item(Severity.Low), Item(Severity.Medium), Item(Severity.High), Item(Severity.Critical));

        result.AlertsCreated.Should().Be(1);
    }

    [Fact]
    public async Task The_alert_metrics_count_the_alerts_raised_and_the_events_folded_that_the_writer_committed()
    {
        _alertsTheWriterReports = 1;
        _foldsTheWriterReports = 2;

        await Send(Item(Severity.High), Item(Severity.High), Item(Severity.Critical));

        _alertMetrics.Received(1).Raised(1);
        _alertMetrics.Received(1).Grouped(2);
    }

    [Fact]
    public async Task Nothing_is_counted_when_the_writer_fails()
    {
        _writerFails = true;

        var send = async () => await Send(Item(Severity.High), Item(Severity.High));

        await send.Should().ThrowAsync<InvalidOperationException>();
        _alertMetrics.ReceivedCalls().Should().BeEmpty();
    }

    [Fact]
    public async Task An_item_of_a_source_another_sensor_owns_is_rejected_naming_source_and_the_rest_are_written()
    {
        _ownership.OwnersOfAsync(default!, default).ReturnsForAnyArgs(new Dictionary<string, long> { ["owned"] = 9 });

        var result = await Send(Item(source: "owned"), Item(source: "free"));

        result.Rejected.Should().ContainSingle().Which.Should().BeEquivalentTo(new { Index = 0, Reason = (string?)null });
        result.Rejected[0].Errors.Keys.Should().Equal("source");
        _written.Select(e => e.Source).Should().Equal("free");
    }

    [Fact]
    public async Task Rejections_from_every_pass_are_answered_in_batch_order_even_when_nothing_is_stored()
    {
        _ownership.OwnersOfAsync(default!, default).ReturnsForAnyArgs(new Dictionary<string, long> { ["owned"] = 9 });

        var result = await Send(Item(source: "owned"), BatchItem.Malformed("body", "x"), Item(source: "owned"), Item(eventType: " "));

        result.Rejected.Select(r => r.Index).Should().Equal(0, 1, 2, 3);
        result.Accepted.Should().Be(0);
    }

    [Fact]
    public async Task Events_are_built_by_the_domain_with_the_caller_and_the_received_time()
    {
        await Send(BatchItem.Of(new EventInput
        {
            Source = "fw-1",
            EventType = "scan",
            Severity = Severity.Medium,
            Metadata = "{\"rule\": 1}",
            SourceIp = System.Net.IPAddress.Parse("10.0.0.1"),
        }));

        var written = _written.Should().ContainSingle().Subject;
        written.Should().BeEquivalentTo(new
        {
            Source = "fw-1",
            EventType = "scan",
            Severity = Severity.Medium,
            Description = string.Empty,
            OccurredAt = Now,
            Timestamp = Now,
            IngestedById = (long?)7,
            Metadata = "{\"rule\": 1}",
        });
        written.SourceIp!.ToString().Should().Be("10.0.0.1");
    }

    [Fact]
    public async Task Nothing_is_written_when_no_item_is_valid()
    {
        var result = await Send(Item(eventType: " "), BatchItem.Malformed("body", "x"));

        result.Should().BeEquivalentTo(new { Accepted = 0, Duplicates = 0, AlertsCreated = 0 });
        result.Rejected.Should().HaveCount(2);
        await _writer.DidNotReceiveWithAnyArgs().WriteAsync(default!, default!, default!, default, default!, default);
    }

    [Fact]
    public void An_empty_batch_is_invalid_and_names_the_body()
    {
        var validation = new IngestEventBatchCommandValidator().Validate(new IngestEventBatchCommand([]));

        validation.Errors.Should().ContainSingle().Which.PropertyName.Should().Be("body");
    }
}
