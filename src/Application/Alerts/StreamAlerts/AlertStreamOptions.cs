namespace ThreatPlatform.Application.Alerts.StreamAlerts;

/// <summary>AlertStream:* settings of the live alert stream.</summary>
public sealed class AlertStreamOptions
{
    public const string Section = "AlertStream";

    /// <summary>A comment line goes to every stream this often, so proxies and clients see the connection is alive.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 3600)]
    public int HeartbeatSeconds { get; set; } = 15;

    /// <summary>Events queued per client before the client is cut off (it resumes with Last-Event-ID).</summary>
    [System.ComponentModel.DataAnnotations.Range(10, 100_000)]
    public int ClientBufferSize { get; set; } = 1_000;

    /// <summary>Streams one user may hold open at once on one API process; the next is a 429 with Retry-After.</summary>
    [System.ComponentModel.DataAnnotations.Range(1, 1_000)]
    public int MaxStreamsPerUser { get; set; } = 5;

    /// <summary>How long the change log keeps a change (the API promises at least 24 h of resume).</summary>
    [System.ComponentModel.DataAnnotations.Range(24, 24 * 90)]
    public int RetentionHours { get; set; } = 48;
}
