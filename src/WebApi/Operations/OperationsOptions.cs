using System.ComponentModel.DataAnnotations;
using System.Net;

namespace ThreatPlatform.WebApi.Operations;

/// <summary>Who may read <c>GET /metrics</c> (section <c>Metrics</c>): addresses or CIDR ranges, loopback when none is set.</summary>
public sealed class MetricsOptions : IValidatableObject
{
    public const string Section = "Metrics";

    private static readonly string[] Loopback = ["127.0.0.0/8", "::1/128"];

    public string[] AllowedNetworks { get; set; } = [];

    /// <summary>The configured ranges (blank entries skipped), or loopback when there are none.</summary>
    public IReadOnlyList<IPNetwork> Networks => [.. Entries().Select(text =>
        Domain.Common.NetworkRanges.TryParse(text, out var network) ? network : throw new FormatException(text))];

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext) =>
        Entries().Where(text => !Domain.Common.NetworkRanges.TryParse(text, out _)).Select(text => new ValidationResult(
            $"{Section}__{nameof(AllowedNetworks)} has '{text}', which is neither an address nor a CIDR range.", [nameof(AllowedNetworks)]));

    private string[] Entries()
    {
        var configured = AllowedNetworks.Where(n => !string.IsNullOrWhiteSpace(n)).ToArray();
        return configured.Length > 0 ? configured : Loopback;
    }
}

/// <summary>
/// Traces over OTLP (section <c>OpenTelemetry</c>): exported when <c>OtlpEndpoint</c> (or the standard
/// OTEL_EXPORTER_OTLP_ENDPOINT, read by <see cref="OperationsHosting"/>) names a collector.
/// </summary>
public sealed class OpenTelemetryOptions : IValidatableObject
{
    public const string Section = "OpenTelemetry";

    /// <summary>The collector's absolute URL (http://collector:4317).</summary>
    public string? OtlpEndpoint { get; set; }

    /// <summary>The service name the traces carry.</summary>
    public string ServiceName { get; set; } = "threatplatform-api";

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        if (!string.IsNullOrWhiteSpace(OtlpEndpoint) && !Uri.TryCreate(OtlpEndpoint, UriKind.Absolute, out _))
        {
            yield return new ValidationResult(
                $"{Section}__{nameof(OtlpEndpoint)} must be an absolute URL (http://collector:4317), not '{OtlpEndpoint}'.", [nameof(OtlpEndpoint)]);
        }
    }
}
