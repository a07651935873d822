using FluentValidation;
using FluentValidation.Results;
using Microsoft.Extensions.Time.Testing;
using NSubstitute;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Events.Common;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;
using Severity = ThreatPlatform.Domain.Events.Severity;

namespace ThreatPlatform.Application.UnitTests.Events;

/// <summary>
/// Batch ingest hands a writer that takes chunks (<see cref="IEventBatchPipeline"/>) the batch chunk by chunk, prepared
/// as the writer asks for them, so that the database stores one chunk while the next is validated and mapped.
/// </summary>
public sealed class BatchPipelineTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 12, 0, 0, TimeSpan.Zero);

    private readonly IEventBatchWriter _writer = Substitute.For<IEventBatchWriter, IEventBatchPipeline>();
    private readonly ICurrentUser _user = Substitute.For<ICurrentUser>();
    private readonly ISourceOwnership _ownership = Substitute.For<ISourceOwnership>();
    private readonly FakeTimeProvider _clock = new(Now);
    private readonly CountingValidator _validator;
    private readonly List<(int Events, int ValidatedBefore)> _chunks = [];
    private readonly List<SecurityEvent> _written = [];

    public BatchPipelineTests()
    {
        _validator = new CountingValidator(_clock);
        _user.Id.Returns(7);
        _ownership.OwnersOfAsync(default!, default).ReturnsForAnyArgs(new Dictionary<string, long>());
        ((IEventBatchPipeline)_writer).WriteAsync(default!, default!, default!, default, default).ReturnsForAnyArgs(call =>
        {
            // As the real writer does: each chunk is taken only once the previous one is being written.
            foreach (var chunk in call.Arg<IEnumerable<EventChunk>>())
            {
                _chunks.Add((chunk.Events.Count, _validator.Validated));
                _written.AddRange(chunk.Events);
            }

            return new EventBatchWriteResult(
                _written.Count,
                0,
                _written.Where(e => e.ExternalId is not null).Select(e => (e.Source, e.ExternalId!)).ToHashSet(),
                0);
        });
    }

    [Fact]
    public async Task The_writer_gets_the_first_chunk_before_the_rest_of_the_batch_is_validated()
    {
        var count = (2 * IngestEventBatchCommandHandler.ChunkItems) + 10;

        var result = await Send([.. Enumerable.Range(0, count).Select(i => Item($"e-{i}"))]);

        result.Accepted.Should().Be(count);
        _chunks.Select(c => c.Events).Should().Equal(IngestEventBatchCommandHandler.ChunkItems, IngestEventBatchCommandHandler.ChunkItems, 10);
        _chunks.Select(c => c.ValidatedBefore).Should().Equal(
            [IngestEventBatchCommandHandler.ChunkItems, 2 * IngestEventBatchCommandHandler.ChunkItems, count],
            "each chunk's items are validated only when the writer asks for it");
        _written.Select(e => e.ExternalId).Should().Equal(Enumerable.Range(0, count).Select(i => $"e-{i}"), "batch order is kept");
    }

    [Fact]
    public async Task Repeats_and_rejections_across_chunks_are_answered_as_for_one_list()
    {
        var chunk = IngestEventBatchCommandHandler.ChunkItems;
        var items = Enumerable.Range(0, (2 * chunk) + 2).Select(i => Item($"e-{i}")).ToList();
        items[chunk + 1] = Item("e-0");                                   // the first chunk's event again: a duplicate
        items[(2 * chunk) + 1] = Item("e-1", Severity.Critical);          // the first chunk's key with other content
        items[chunk + 2] = Item("e-x", eventType: " ");                   // invalid

        var result = await Send(items);

        result.Duplicates.Should().Be(1);
        result.Rejected.Select(r => (r.Index, r.Reason)).Should().Equal((chunk + 2, null), ((2 * chunk) + 1, RejectedItem.IdempotencyConflict));
        result.Accepted.Should().Be(items.Count - 3);
        _written.Where(e => e.ExternalId == "e-1").Should().ContainSingle().Which.Severity.Should().Be(Severity.Low, "the first wins");
    }

    private static BatchItem Item(string externalId, Severity severity = Severity.Low, string eventType = "scan") =>
        BatchItem.Of(new EventInput { Source = "fw-1", EventType = eventType, Severity = severity, ExternalId = externalId });

    private ValueTask<BatchIngestResult> Send(IReadOnlyList<BatchItem> items) =>
        new IngestEventBatchCommandHandler(
                _writer,
                _validator,
                _user,
                _ownership,
                Substitute.For<IIngestRateLimiter>(),
                Substitute.For<IAlertMetrics>(),
                _clock,
                SlaPolicy.Default,
                new NoRules())
            .Handle(new IngestEventBatchCommand(items), CancellationToken.None);

    /// <summary>The event rules, counting the items validated so far.</summary>
    private sealed class CountingValidator : AbstractValidator<EventInput>
    {
        public CountingValidator(TimeProvider clock) => Include(new EventInputValidator(clock));

        public int Validated { get; private set; }

        public override ValidationResult Validate(ValidationContext<EventInput> context)
        {
            Validated++;
            return base.Validate(context);
        }
    }

    private sealed class NoRules : IDetectionRuleSet
    {
        public ValueTask<ActiveRules> CurrentAsync(CancellationToken cancellationToken) => ValueTask.FromResult(ActiveRules.None);

        public void Changed()
        {
        }
    }
}
