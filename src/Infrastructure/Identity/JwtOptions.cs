using System.ComponentModel.DataAnnotations;
using System.Text;

namespace ThreatPlatform.Infrastructure.Identity;

/// <summary>Token settings, bound from the "Jwt" section (environment: Jwt__SigningKey, Jwt__Issuer, …).</summary>
public sealed class JwtOptions : IValidatableObject
{
    public const string Section = "Jwt";
    public const int MinimumKeyBytes = 32;

    public string Issuer { get; set; } = "threatplatform";
    public string Audience { get; set; } = "threatplatform-api";

    /// <summary>HS256 key; at least 32 bytes of UTF-8. Never commit one: set Jwt__SigningKey.</summary>
    public string SigningKey { get; set; } = string.Empty;

    [Range(1, 1440)]
    public int AccessTokenMinutes { get; set; } = 15;

    /// <summary>When above 0, the access token lifetime in seconds instead of minutes (end-to-end tests of silent refresh).</summary>
    [Range(0, 86400)]
    public int AccessTokenSeconds { get; set; }

    public TimeSpan AccessTokenLifetime =>
        AccessTokenSeconds > 0 ? TimeSpan.FromSeconds(AccessTokenSeconds) : TimeSpan.FromMinutes(AccessTokenMinutes);

    [Range(1, 365)]
    public int RefreshTokenDays { get; set; } = 7;

    /// <summary>Absolute lifetime of a refresh family: however often it rotates, a login ends this many days after it began.</summary>
    [Range(1, 3650)]
    public int RefreshFamilyDays { get; set; } = 30;

    [Range(0, 300)]
    public int ClockSkewSeconds { get; set; } = 30;

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (string.IsNullOrWhiteSpace(SigningKey))
        {
            yield return new ValidationResult(
                "Jwt__SigningKey is not set. Generate one with `openssl rand -base64 48` and set it in the environment (see .env.example).",
                [nameof(SigningKey)]);
        }
        else if (Encoding.UTF8.GetByteCount(SigningKey) < MinimumKeyBytes)
        {
            yield return new ValidationResult(
                $"Jwt__SigningKey is too weak: it must be at least {MinimumKeyBytes} bytes. Generate one with `openssl rand -base64 48`.",
                [nameof(SigningKey)]);
        }

        if (string.IsNullOrWhiteSpace(Issuer) || string.IsNullOrWhiteSpace(Audience))
        {
            yield return new ValidationResult("Jwt__Issuer and Jwt__Audience must not be empty.", [nameof(Issuer), nameof(Audience)]);
        }
    }
}
