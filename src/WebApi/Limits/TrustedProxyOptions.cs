using System.ComponentModel.DataAnnotations;
using System.Net;

namespace ThreatPlatform.WebApi.Limits;

/// <summary>
/// The proxies whose X-Forwarded-For / X-Forwarded-Proto are honoured (section <c>ForwardedHeaders</c>): addresses in
/// <c>KnownProxies:N</c>, CIDR ranges in <c>KnownNetworks:N</c>; blank entries are skipped.
/// </summary>
public sealed class TrustedProxyOptions : IValidatableObject
{
    public const string Section = "ForwardedHeaders";

    public string[] KnownProxies { get; set; } = [];

    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many proxy hops of X-Forwarded-For are read, from the right.</summary>
    [Range(1, int.MaxValue)]
    public int ForwardLimit { get; set; } = 1;

    public IReadOnlyList<IPAddress> Proxies => [.. Entries(KnownProxies).Select(IPAddress.Parse)];

    public IReadOnlyList<System.Net.IPNetwork> Networks => [.. Entries(KnownNetworks).Select(text => System.Net.IPNetwork.Parse(text))];

    public bool Any => Entries(KnownProxies).Any() || Entries(KnownNetworks).Any();

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (var text in Entries(KnownProxies).Where(t => !IPAddress.TryParse(t, out _)))
        {
            yield return new ValidationResult($"{Section}__{nameof(KnownProxies)} has '{text}', which is not an IP address.", [nameof(KnownProxies)]);
        }

        foreach (var text in Entries(KnownNetworks).Where(t => !System.Net.IPNetwork.TryParse(t, out _)))
        {
            yield return new ValidationResult(
                $"{Section}__{nameof(KnownNetworks)} has '{text}', which is not an IP address range in CIDR form (10.0.0.0/8).", [nameof(KnownNetworks)]);
        }
    }

    private static IEnumerable<string> Entries(string[] texts) => texts.Where(t => !string.IsNullOrWhiteSpace(t)).Select(t => t.Trim());
}
