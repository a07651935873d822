using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Domain.Common;

/// <summary>The UPPER_SNAKE names enums carry on the wire and in messages (the original platform's spelling).</summary>
public static class WireNames
{
    public static string ToWire(this AlertStatus status) => status switch
    {
        AlertStatus.Open => "OPEN",
        AlertStatus.Acknowledged => "ACKNOWLEDGED",
        AlertStatus.InProgress => "IN_PROGRESS",
        AlertStatus.Resolved => "RESOLVED",
        AlertStatus.FalsePositive => "FALSE_POSITIVE",
        _ => throw new ArgumentOutOfRangeException(nameof(status), status, null),
    };

    public static string ToWire(this Severity severity) => severity switch
    {
        Severity.Low => "LOW",
        Severity.Medium => "MEDIUM",
        Severity.High => "HIGH",
        Severity.Critical => "CRITICAL",
        _ => throw new ArgumentOutOfRangeException(nameof(severity), severity, null),
    };

    public static string ToWire(this UserRole role) => role switch
    {
        UserRole.Admin => "ADMIN",
        UserRole.Analyst => "ANALYST",
        _ => throw new ArgumentOutOfRangeException(nameof(role), role, null),
    };

    /// <summary>Parses a wire name case-insensitively; null when it is not one.</summary>
    public static bool TryParseWire<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum
    {
        value = default;
        if (string.IsNullOrWhiteSpace(text))
        {
            return false;
        }

        foreach (var candidate in Enum.GetValues<TEnum>())
        {
            if (string.Equals(Wire(candidate), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                value = candidate;
                return true;
            }
        }

        return false;
    }

    public static IReadOnlyList<string> AllWire<TEnum>()
        where TEnum : struct, Enum => Enum.GetValues<TEnum>().Select(Wire).ToArray();

    private static string Wire<TEnum>(TEnum value)
        where TEnum : struct, Enum => value switch
        {
            AlertStatus s => s.ToWire(),
            Severity s => s.ToWire(),
            UserRole r => r.ToWire(),
            _ => value.ToString().ToUpperInvariant(),
        };
}
