namespace ThreatPlatform.Infrastructure.Persistence;

public sealed class DatabaseOptions
{
    public const string Section = "Database";

    /// <summary>Apply pending migrations when the API starts. Turn off where a separate `migrate` step runs them.</summary>
    public bool MigrateOnStartup { get; set; } = true;
}
