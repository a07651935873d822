using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using FluentValidation;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Events;
using Severity = ThreatPlatform.Domain.Events.Severity;

namespace ThreatPlatform.Application.Events.Common;

/// <summary>
/// One event as a sensor sends it (single and batch ingest alike). Enums and IPs arrive as text so that a bad value is
/// reported by field name rather than failing the whole body.
/// </summary>
public record EventInput
{
    public string? Source { get; init; }
    public string? EventType { get; init; }
    public string? Severity { get; init; }
    public string? Description { get; init; }
    public DateTimeOffset? OccurredAt { get; init; }
    public string? SourceIp { get; init; }
    public string? DestinationIp { get; init; }
    public JsonElement? Metadata { get; init; }
    public string? ExternalId { get; init; }

    /// <summary>Builds the domain event from input that passed <see cref="EventInputValidator"/>.</summary>
    public SecurityEvent ToDomain(long? ingestedBy, DateTimeOffset receivedAt)
    {
        if (!WireNames.TryParseWire<Severity>(Severity, out var severity))
        {
            throw new InvalidOperationException("ToDomain needs input that passed EventInputValidator.");
        }

        return SecurityEvent.Ingest(
            Source!.Trim(),
            EventType!.Trim(),
            severity,
            Description,
            OccurredAt?.ToUniversalTime(),
            ParseIp(SourceIp),
            ParseIp(DestinationIp),
            MetadataText(),
            string.IsNullOrWhiteSpace(ExternalId) ? null : ExternalId.Trim(),
            ingestedBy,
            receivedAt);
    }

    public string? MetadataText() =>
        Metadata is { ValueKind: JsonValueKind.Object } metadata ? metadata.GetRawText() : null;

    internal static IPAddress? ParseIp(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : IPAddress.Parse(text.Trim());

    internal static bool IsIp(string? text) =>
        string.IsNullOrWhiteSpace(text)
        || (IPAddress.TryParse(text.Trim(), out var ip)
            && ip.AddressFamily is AddressFamily.InterNetwork or AddressFamily.InterNetworkV6
            && (ip.AddressFamily == AddressFamily.InterNetworkV6 || text.Trim().Count(c => c == '.') == 3));
}

/// <summary>The rules of API.md for an event; used by single and batch ingest so both refuse the same things.</summary>
public sealed class EventInputValidator : AbstractValidator<EventInput>
{
    public static readonly TimeSpan MaxClockAhead = TimeSpan.FromMinutes(5);

    public EventInputValidator(TimeProvider clock)
    {
        RuleFor(e => e.Source)
            .Must(s => !string.IsNullOrWhiteSpace(s)).WithMessage("source is required.")
            .MaximumLength(SecurityEvent.SourceMaxLength).WithMessage($"source must be at most {SecurityEvent.SourceMaxLength} characters.");
        RuleFor(e => e.EventType)
            .Must(s => !string.IsNullOrWhiteSpace(s)).WithMessage("event_type is required.")
            .MaximumLength(SecurityEvent.EventTypeMaxLength).WithMessage($"event_type must be at most {SecurityEvent.EventTypeMaxLength} characters.");
        RuleFor(e => e.Severity)
            .Must(s => WireNames.TryParseWire<Severity>(s, out _))
            .WithMessage(e => string.IsNullOrWhiteSpace(e.Severity)
                ? "severity is required."
                : $"'{Truncate(e.Severity)}' is not a severity; use one of {string.Join(", ", WireNames.AllWire<Severity>())}.");
        RuleFor(e => e.Description)
            .MaximumLength(SecurityEvent.DescriptionMaxLength).WithMessage($"description must be at most {SecurityEvent.DescriptionMaxLength} characters.");
        RuleFor(e => e.ExternalId)
            .MaximumLength(SecurityEvent.ExternalIdMaxLength).WithMessage($"external_id must be at most {SecurityEvent.ExternalIdMaxLength} characters.");
        RuleFor(e => e.SourceIp).Must(EventInput.IsIp).WithMessage("source_ip must be an IPv4 or IPv6 address.");
        RuleFor(e => e.DestinationIp).Must(EventInput.IsIp).WithMessage("destination_ip must be an IPv4 or IPv6 address.");
        RuleFor(e => e.OccurredAt)
            .Must(at => at is null || at.Value <= clock.GetUtcNow() + MaxClockAhead)
            .WithMessage("occurred_at is more than 5 minutes in the future.");
        RuleFor(e => e.Metadata)
            .Must(m => m is null || m.Value.ValueKind is JsonValueKind.Object or JsonValueKind.Null or JsonValueKind.Undefined)
            .WithMessage("metadata must be a JSON object.")
            .Must(m => m is not { ValueKind: JsonValueKind.Object } obj
                || System.Text.Encoding.UTF8.GetByteCount(obj.GetRawText()) <= SecurityEvent.MetadataMaxBytes)
            .WithMessage($"metadata must be at most {SecurityEvent.MetadataMaxBytes / 1024} KiB.");
    }

    private static string Truncate(string? text) => text is { Length: > 40 } ? text[..40] + "…" : text ?? string.Empty;
}
