using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>Who is calling and from where, as the audit log records it.</summary>
public interface IAuditContext
{
    /// <summary>The signed-in user; null for a sensor, an anonymous caller or the system.</summary>
    long? ActorId { get; }

    /// <summary>The caller as text: a username, <c>sensor:ID</c>, or null.</summary>
    string? ActorName { get; }

    /// <summary>The client's address (as the transport, or a trusted proxy, reports it); null when there is none.</summary>
    string? ClientAddress { get; }
}

/// <summary>
/// The security audit log. An entry recorded here is written by the next SaveChanges, in its transaction and in the
/// one chain of hashes; a save that fails drops it with everything else it tried to add.
/// </summary>
public interface IAuditLog
{
    /// <summary>Records <paramref name="action"/> by the current caller, or by the actor given (a login names whom it tried).</summary>
    void Record(AuditAction action, string? target, string? detail = null, long? actorId = null, string? actorName = null) =>
        Record(action, () => target, detail, actorId, actorName);

    /// <summary>As above, for a target that has its id only once saved: <paramref name="target"/> is read after the INSERTs.</summary>
    void Record(AuditAction action, Func<string?> target, string? detail = null, long? actorId = null, string? actorName = null);
}

/// <summary>The target texts the audit log uses.</summary>
public static class AuditTargets
{
    public static string User(long id) => $"user:{id}";

    public static string Sensor(long id) => $"sensor:{id}";

    public static string ApiKey(long id) => $"api_key:{id}";

    public static string Alert(long id) => $"alert:{id}";

    public static string DetectionRule(long id) => $"rule:{id}";
}

/// <summary>Where the audit chain's signed heads are published, outside the database.</summary>
public interface IAuditCheckpoints
{
    /// <summary>The newest checkpoint whose signature the chain key confirms (highest entry id), or null when there is none.</summary>
    Task<AuditCheckpoint?> LatestAsync(CancellationToken cancellationToken);
}
