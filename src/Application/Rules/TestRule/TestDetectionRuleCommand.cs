using FluentValidation;
using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.SecurityEvents;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Application.Rules.Sigma;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Rules.TestRule;

/// <summary>
/// POST /api/rules/test/: a dry run of a Sigma document on sample events, as ingest from <see cref="SensorId"/> (its
/// logsource and grouping) would run it; nothing is stored.
/// </summary>
public sealed record TestDetectionRuleCommand(string? Sigma, IReadOnlyList<EventInput> Events, long? SensorId) : ICommand<RuleTestResult>
{
    public const int MaxEvents = 1_000;
}

/// <summary>The events the rule matched (for a correlation: its base rules), and the alerts it would raise with the events each holds.</summary>
public sealed record RuleTestResult(IReadOnlyList<int> Matches, IReadOnlyList<RuleTestAlert> Alerts);

public sealed record RuleTestAlert(AlertRuleDto Rule, IReadOnlyList<int> Events);

public sealed class TestDetectionRuleCommandHandler(IApplicationDbContext db, IValidator<EventInput> validator, TimeProvider clock)
    : ICommandHandler<TestDetectionRuleCommand, RuleTestResult>
{
    public async ValueTask<RuleTestResult> Handle(TestDetectionRuleCommand command, CancellationToken cancellationToken)
    {
        var (compiled, definition) = SigmaDocuments.Compile(command.Sigma);
        var errors = new Dictionary<string, string[]>(StringComparer.Ordinal);
        for (var i = 0; i < command.Events.Count; i++)
        {
            foreach (var (field, messages) in RequestValidationException.ByField(validator.Validate(command.Events[i]).Errors))
            {
                errors[$"events[{i}].{field}"] = messages;
            }
        }

        if (errors.Count > 0)
        {
            throw new RequestValidationException(errors);
        }

        SigmaLogsource? logsource = null;
        var grouping = false;
        if (command.SensorId is { } sensorId)
        {
            var sensor = await db.Sensors.AsNoTracking().Where(s => s.Id == sensorId)
                .Select(s => new { s.LogsourceProduct, s.LogsourceCategory, s.LogsourceService, s.Grouping })
                .FirstOrDefaultAsync(cancellationToken)
                ?? throw new NotFound("Sensor", sensorId);
            logsource = new SigmaLogsource(sensor.LogsourceProduct, sensor.LogsourceCategory, sensor.LogsourceService);
            grouping = sensor.Grouping;
        }

        var now = clock.GetUtcNow();
        var events = command.Events
            .Select(input => SecurityEvent.Ingest(
                input.Source, input.EventType, input.Severity, input.Description, input.OccurredAt, input.SourceIp, input.DestinationIp,
                input.Metadata, input.ExternalId, null, command.SensorId, now, input.Detection, grouping))
            .ToList();
        var views = events.Select(e => ActiveRules.View(e, logsource)).ToList();
        var rule = new AlertRuleDto(null, definition.Title, definition.Level, definition.Technique);
        var raises = definition.Level.AlertSeverity() is not null;
        return compiled.Correlation is { } correlation
            ? Correlate(correlation, events, views, rule, raises)
            : Match(compiled, events, views, rule, raises);
    }

    private static RuleTestResult Match(SigmaRule compiled, List<SecurityEvent> events, List<SigmaEvent> views, AlertRuleDto rule, bool raises)
    {
        var matches = Enumerable.Range(0, views.Count).Where(i => compiled.Matches!(views[i])).ToList();
        if (!raises)
        {
            return new RuleTestResult(matches, []);
        }

        // A grouping sensor folds the rule's hits with one fingerprint into one alert; otherwise each hit is an alert.
        var alerts = matches
            .GroupBy(i => events[i].Fingerprint is { } f ? (object)f : i)
            .Select(g => new RuleTestAlert(rule, [.. g]))
            .ToList();
        return new RuleTestResult(matches, alerts);
    }

    private static RuleTestResult Correlate(SigmaCorrelation correlation, List<SecurityEvent> events, List<SigmaEvent> views, AlertRuleDto rule, bool raises)
    {
        var memory = new CorrelationMemory();
        var matches = new List<int>();
        var alerts = new List<RuleTestAlert>();
        var indexOf = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < views.Count; i++)
        {
            var matched = correlation.Rules.Where(r => r.Matches(views[i])).ToList();
            if (matched.Count == 0)
            {
                continue;
            }

            matches.Add(i);
            var key = events[i].ExternalId is { } id ? $"{events[i].Source}\u001f{id}" : $"#{i}";
            indexOf.TryAdd(key, i);
            if (memory.ObserveFiring(correlation, views[i], key, matched) is { } counted && raises)
            {
                alerts.Add(new RuleTestAlert(rule, [.. counted.Select(k => indexOf[k]).Order()]));
            }
        }

        return new RuleTestResult(matches, alerts);
    }
}

public sealed class TestDetectionRuleCommandValidator : AbstractValidator<TestDetectionRuleCommand>
{
    public TestDetectionRuleCommandValidator() => RuleFor(c => c.Events)
        .Must(e => e.Count <= TestDetectionRuleCommand.MaxEvents)
        .WithMessage($"At most {TestDetectionRuleCommand.MaxEvents} events.");
}
