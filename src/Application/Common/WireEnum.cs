using System.Collections.Concurrent;
using System.Text.Json;

namespace ThreatPlatform.Application.Common;

/// <summary>
/// The one enum ↔ text mapping of the wire: each member's name under <see cref="Policy"/> (<c>InProgress</c> ↔
/// <c>IN_PROGRESS</c>), read case-insensitively. WebApi's JSON options use the same policy, so a status reads the same
/// in a body, a query string, a problem's message, a token's role claim and an authorization policy.
/// </summary>
public static class WireEnum
{
    public static readonly JsonNamingPolicy Policy = JsonNamingPolicy.SnakeCaseUpper;

    private static readonly ConcurrentDictionary<Type, (Enum Value, string Name)[]> Members = new();

    public static string Name(Enum value) => Of(value.GetType()).First(m => m.Value.Equals(value)).Name;

    public static IReadOnlyList<string> Names(Type enumType) => [.. Of(enumType).Select(m => m.Name)];

    public static IReadOnlyList<string> Names<TEnum>()
        where TEnum : struct, Enum => Names(typeof(TEnum));

    /// <summary>"a, b or c" for messages.</summary>
    public static string OneOf(Type enumType) => string.Join(", ", Names(enumType));

    public static bool TryParse(Type enumType, string? text, out Enum value)
    {
        var trimmed = text?.Trim();
        foreach (var member in Of(enumType))
        {
            if (string.Equals(member.Name, trimmed, StringComparison.OrdinalIgnoreCase))
            {
                value = member.Value;
                return true;
            }
        }

        value = default!;
        return false;
    }

    public static bool TryParse<TEnum>(string? text, out TEnum value)
        where TEnum : struct, Enum
    {
        var ok = TryParse(typeof(TEnum), text, out var parsed);
        value = ok ? (TEnum)parsed : default;
        return ok;
    }

    private static (Enum Value, string Name)[] Of(Type enumType) => Members.GetOrAdd(enumType, type =>
        [.. Enum.GetValues(type).Cast<Enum>().Select(v => (v, Policy.ConvertName(v.ToString())))]);
}

/// <summary>Enum members in their wire spelling.</summary>
public static class WireEnumExtensions
{
    public static string ToWire(this Enum value) => WireEnum.Name(value);
}
