namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>
/// Counts what ingest did to alerts, for the operators' metrics (WebApi exports them, labelled by the calling sensor).
/// Ingest calls it only after the transaction that wrote the alerts committed, so a rolled-back attempt (a retry after
/// a lost race, a refused repeat) is never counted.
/// </summary>
public interface IAlertMetrics
{
    /// <summary><paramref name="alerts"/> new alerts were raised.</summary>
    void Raised(int alerts);

    /// <summary><paramref name="events"/> severe events folded into an open alert instead of raising one (grouping).</summary>
    void Grouped(int events);
}
