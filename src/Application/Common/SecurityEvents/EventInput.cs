using System.Net;
using FluentValidation;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.SecurityEvents;
using Severity = ThreatPlatform.Domain.SecurityEvents.Severity;

namespace ThreatPlatform.Application.Common.SecurityEvents;

/// <summary>One event as read from the wire (single and batch ingest alike), typed; the validator checks its rules.</summary>
public record EventInput
{
    public string Source { get; init; } = string.Empty;
    public string EventType { get; init; } = string.Empty;
    public Severity Severity { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset? OccurredAt { get; init; }
    public IPAddress? SourceIp { get; init; }
    public IPAddress? DestinationIp { get; init; }

    /// <summary>The sensor's metadata: the text of a JSON object.</summary>
    public string? Metadata { get; init; }
    public string? ExternalId { get; init; }

    /// <summary>The detection model's verdict, for model-made events.</summary>
    public Detection? Detection { get; init; }

    /// <summary>The format the record came in; NATIVE for the event JSON.</summary>
    public EventFormat Format { get; init; }

    /// <summary>The record as received, for an event read from a standard format (the parsers keep it at most 64 KiB).</summary>
    public string? Raw { get; init; }

    /// <summary>Builds the domain event (which raises EventIngested) as <paramref name="caller"/> reports it.</summary>
    public SecurityEvent ToDomain(ICurrentUser caller, DateTimeOffset receivedAt) => SecurityEvent.Ingest(
        Source,
        EventType,
        Severity,
        Description,
        OccurredAt,
        SourceIp,
        DestinationIp,
        Metadata,
        ExternalId,
        caller.Id,
        caller.SensorId,
        receivedAt,
        Detection,
        groups: caller.SensorGroups,
        format: Format,
        raw: Raw);
}

/// <summary>The rules of API.md for an event; used by single and batch ingest so both refuse the same things.</summary>
public sealed class EventInputValidator : AbstractValidator<EventInput>
{
    public static readonly TimeSpan MaxClockAhead = TimeSpan.FromMinutes(5);

    public EventInputValidator(TimeProvider clock)
    {
        RuleFor(e => e.Source)
            .NotEmpty().WithMessage("source is required.")
            .MaximumLength(SecurityEvent.SourceMaxLength).WithMessage($"source must be at most {SecurityEvent.SourceMaxLength} characters.");
        RuleFor(e => e.EventType)
            .NotEmpty().WithMessage("event_type is required.")
            .MaximumLength(SecurityEvent.EventTypeMaxLength).WithMessage($"event_type must be at most {SecurityEvent.EventTypeMaxLength} characters.");
        RuleFor(e => e.Severity).IsInEnum().WithMessage("severity is not a severity.");
        RuleFor(e => e.Description)
            .MaximumLength(SecurityEvent.DescriptionMaxLength).WithMessage($"description must be at most {SecurityEvent.DescriptionMaxLength} characters.");
        RuleFor(e => e.ExternalId)
            .MaximumLength(SecurityEvent.ExternalIdMaxLength).WithMessage($"external_id must be at most {SecurityEvent.ExternalIdMaxLength} characters.");
        RuleFor(e => e.OccurredAt)
            .Must(at => at is null || at.Value <= clock.GetUtcNow() + MaxClockAhead)
            .WithMessage("occurred_at is more than 5 minutes in the future.");
        RuleFor(e => e.Detection!.Model)
            .NotEmpty().WithMessage("detection.model is required.")
            .MaximumLength(Detection.ModelMaxLength).WithMessage($"detection.model must be at most {Detection.ModelMaxLength} characters.")
            .When(e => e.Detection is not null);
        RuleFor(e => e.Detection!.ModelVersion)
            .MaximumLength(Detection.ModelVersionMaxLength).WithMessage($"detection.model_version must be at most {Detection.ModelVersionMaxLength} characters.")
            .When(e => e.Detection is not null);
        RuleFor(e => e.Detection!.Confidence)
            .InclusiveBetween(0, 1).WithMessage("detection.confidence must be between 0 and 1.")
            .When(e => e.Detection is not null);
        RuleFor(e => e.Detection!.Technique)
            .Matches(Detection.TechniquePattern).WithMessage("detection.technique must be a MITRE ATT&CK technique id such as T1059 or T1059.001.")
            .When(e => e.Detection?.Technique is not null);
        RuleFor(e => e.Metadata)
            .Must(m => m is null || System.Text.Encoding.UTF8.GetByteCount(m) <= SecurityEvent.MetadataMaxBytes)
            .WithMessage($"metadata must be at most {SecurityEvent.MetadataMaxBytes / 1024} KiB.");
    }
}
