using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Infrastructure.Persistence.Audit;

/// <summary>The audit chain's settings, bound from the "Audit" section (environment: Audit__ChainKey, Audit__CheckpointPath).</summary>
public sealed class AuditOptions
{
    public const string Section = "Audit";

    /// <summary>
    /// Base64 of at least 32 bytes: the HMAC key of the chain and its checkpoints. Never in the database, never committed.
    /// Required in Production; elsewhere, unset, each process makes a random one (scripts/env.sh keeps one in .data/).
    /// </summary>
    public string? ChainKey { get; set; }

    /// <summary>The append-only file checkpoints go to; relative to the content root. Default: .data/audit-checkpoints.log there.</summary>
    public string? CheckpointPath { get; set; }

    /// <summary>The checkpoint file's full path under <paramref name="contentRoot"/>.</summary>
    public string ResolveCheckpointPath(string contentRoot) =>
        Path.GetFullPath(string.IsNullOrWhiteSpace(CheckpointPath) ? Path.Combine(".data", "audit-checkpoints.log") : CheckpointPath, contentRoot);
}

/// <summary>Refuses a malformed or short key anywhere, and a missing one in Production, naming the setting and the fix.</summary>
internal sealed class AuditOptionsValidation(IHostEnvironment environment) : IValidateOptions<AuditOptions>
{
    private const string Generate = "Generate one with `openssl rand -base64 48`, set it in the environment and keep it with the backups";

    public ValidateOptionsResult Validate(string? name, AuditOptions options)
    {
        if (string.IsNullOrWhiteSpace(options.ChainKey))
        {
            return environment.IsProduction()
                ? ValidateOptionsResult.Fail($"Audit__ChainKey is not set: the audit chain needs a key kept outside the database. {Generate} (see .env.example).")
                : ValidateOptionsResult.Success;
        }

        var bytes = new byte[options.ChainKey.Length];
        if (!Convert.TryFromBase64String(options.ChainKey.Trim(), bytes, out var length))
        {
            return ValidateOptionsResult.Fail($"Audit__ChainKey is not base64. {Generate}.");
        }

        return length < AuditChainKey.MinimumBytes
            ? ValidateOptionsResult.Fail($"Audit__ChainKey is too weak: it must be at least {AuditChainKey.MinimumBytes} bytes (base64 of them). {Generate}.")
            : ValidateOptionsResult.Success;
    }

    /// <summary>The key the options name, or a random one for this process when none is set (outside Production only).</summary>
    internal static AuditChainKey KeyOf(AuditOptions options) =>
        string.IsNullOrWhiteSpace(options.ChainKey) ? AuditChainKey.Random() : AuditChainKey.From(Convert.FromBase64String(options.ChainKey.Trim()));
}
