using Mediator;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Rules.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.Rules;

/// <summary>
/// Detection rules on single ingest, in the event's own transaction: every enabled rule the event matches raises one
/// alert with the rule's level as severity (whatever the event's own severity), or, from a grouping sensor, folds
/// into the rule's collecting alert with the event's fingerprint. Correlations record the event in their PostgreSQL
/// state and raise their alert on the event that completes them. Batch and raw ingest apply the same rules set-wise
/// (<see cref="Events.IngestBatch.IngestEventBatchCommandHandler"/>).
/// </summary>
public sealed class RaiseAlertsOnRuleMatches(IApplicationDbContext db, ICollectingAlerts collectingAlerts, ICorrelationState correlations, IDetectionRuleSet ruleSet, TimeProvider clock, SlaPolicy sla)
    : INotificationHandler<EventIngestedNotification>
{
    public async ValueTask Handle(EventIngestedNotification notification, CancellationToken cancellationToken)
    {
        var rules = await ruleSet.CurrentAsync(cancellationToken);
        if (rules.IsEmpty)
        {
            return;
        }

        var securityEvent = notification.DomainEvent.Event;
        var view = rules.ViewOf(securityEvent);
        var at = clock.GetUtcNow();
        var hits = rules.Matching(view).Select(r => r.Match).ToList();
        var observations = rules.Correlated(view)
            .Select(c => new CorrelationObservation(c.Rule, view, ActiveRules.EventKey(securityEvent), c.Matched))
            .ToList();
        if (observations.Count > 0)
        {
            var fired = await correlations.ObserveAsync(observations, cancellationToken);
            hits.AddRange(fired.Select(i => observations[i].Rule.Match));
        }

        foreach (var hit in hits.OrderBy(h => h.RuleId))
        {
            await RaiseAsync(securityEvent, hit, at, cancellationToken);
        }
    }

    private async Task RaiseAsync(SecurityEvent securityEvent, RuleMatch hit, DateTimeOffset at, CancellationToken cancellationToken)
    {
        if (hit.Level.AlertSeverity() is null)
        {
            return;
        }

        if (securityEvent.Fingerprint is { } fingerprint
            && await collectingAlerts.FindAsync(fingerprint, hit.RuleId, cancellationToken) is { } collecting)
        {
            collecting.FoldRuleHit(securityEvent, at);
            return;
        }

        if (Alert.RaiseForRule(securityEvent, hit, at, sla) is { } alert)
        {
            db.Alerts.Add(alert);
        }
    }
}
