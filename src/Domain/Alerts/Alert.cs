using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.Rules;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Domain.Alerts;

/// <summary>
/// An alert raised by a severe event: guards its own lifecycle, assignment, tags and comments, and keeps an append-only
/// history of every change.
/// </summary>
public sealed partial class Alert : Entity, IRaisedAlert
{
    public const int MaxTags = 20;
    public const int TagMaxLength = 50;

    /// <summary>A tag's form: lowercase a-z, 0-9, ':', '_', '.', '-' (and 1 to <see cref="TagMaxLength"/> characters).</summary>
    public const string TagPattern = "^[a-z0-9:_.-]+$";

    private readonly List<AlertHistoryEntry> _history = [];

    private Alert()
    {
        Event = null!;
        Source = null!;
        EventType = null!;
        Description = null!;
    }

    public long Id { get; private set; }
    public long EventId { get; private set; }
    public SecurityEvent Event { get; private set; }
    public AlertStatus Status { get; private set; }

    // A snapshot of the event's immutable fields, so alert filters, orderings and search are served by alert indexes
    // alone (search combines with the status and severity indexes in one bitmap instead of joining every match).
    public Severity Severity { get; private set; }
    public string Source { get; private set; }
    public string EventType { get; private set; }
    public string Description { get; private set; }

    // From the first event: the detection filters (technique, confidence) read these alert columns.
    public string? DetectionModel { get; private set; }
    public string? DetectionModelVersion { get; private set; }
    public double? DetectionConfidence { get; private set; }
    public string? DetectionTechnique { get; private set; }

    public Detection? Detection => SecurityEvents.Detection.Of(DetectionModel, DetectionModelVersion, DetectionConfidence, DetectionTechnique);

    // The detection rule that raised the alert, as it was then (null for an alert its event's severity raised). No
    // foreign key: deleting a rule keeps the alerts it raised and what they say about it.
    public long? RuleId { get; private set; }
    public string? RuleTitle { get; private set; }
    public RuleLevel? RuleLevel { get; private set; }
    public string? RuleTechnique { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
    public DateTimeOffset UpdatedAt { get; private set; }
    public IReadOnlyList<AlertHistoryEntry> History => _history;

    // Grouping: the fingerprint's remaining parts (source and event type are above), how many events the alert holds,
    // and when the first and the last of them happened (their occurred_at).
    public long? SensorId { get; private set; }
    public IPAddress? SourceIp { get; private set; }
    public IPAddress? DestinationIp { get; private set; }
    public int Occurrences { get; private set; }
    public DateTimeOffset FirstSeenAt { get; private set; }
    public DateTimeOffset LastSeenAt { get; private set; }

    /// <summary>
    /// Whether events with this alert's fingerprint fold into it: from raising (for a grouping sensor's event) until it
    /// is first closed. A reopened alert does not collect again: by then a newer alert may hold the fingerprint, and a
    /// fingerprint has at most one collecting alert (a unique partial index).
    /// </summary>
    public bool FoldsEvents { get; private set; }

    public AlertFingerprint? Fingerprint =>
        FoldsEvents && SensorId is { } sensor ? new AlertFingerprint(sensor, Source, EventType, SourceIp, DestinationIp) : null;

    /// <summary>
    /// The alert a detection rule raises for an event it matched, with the rule's level as its severity (whatever the
    /// event's own severity); null for an informational rule, or when the event already raised or folded into this
    /// rule's alert. From a grouping sensor it collects later hits of the same rule with the same fingerprint.
    /// </summary>
    public static Alert? RaiseForRule(SecurityEvent securityEvent, RuleMatch rule, DateTimeOffset at, SlaPolicy? sla = null)
    {
        if (rule.Level.AlertSeverity() is not { } severity || securityEvent.HasRuleAlert(rule.RuleId))
        {
            return null;
        }

        var alert = New(securityEvent, severity, at, sla);
        alert.RuleId = rule.RuleId;
        alert.RuleTitle = rule.Title;
        alert.RuleLevel = rule.Level;
        alert.RuleTechnique = rule.Technique;
        securityEvent.AttachAlert(alert);
        return alert;
    }

    /// <summary>Grouping for rule alerts: another hit of this alert's rule on an event with its fingerprint folds in (one more occurrence).</summary>
    public void FoldRuleHit(SecurityEvent securityEvent, DateTimeOffset at)
    {
        if (RuleId is not { } ruleId || Fingerprint is null || securityEvent.Fingerprint != Fingerprint || securityEvent.HasRuleAlert(ruleId))
        {
            throw new InvalidOperationException($"Event {securityEvent.Id} does not fold into alert {Id}: it needs a hit of the alert's rule with the alert's fingerprint, and a collecting alert.");
        }

        Occurrences++;
        FirstSeenAt = securityEvent.OccurredAt < FirstSeenAt ? securityEvent.OccurredAt : FirstSeenAt;
        LastSeenAt = securityEvent.OccurredAt > LastSeenAt ? securityEvent.OccurredAt : LastSeenAt;
        UpdatedAt = at;
        securityEvent.FoldIntoRuleAlert(Id, ruleId);
    }

    /// <summary>The row version (PostgreSQL's xmin): the ETag, and the optimistic concurrency check on every save.</summary>
    public uint Version { get; private set; }

    public long? AssigneeId { get; private set; }
    public User? Assignee { get; private set; }

    /// <summary>Lowercase labels, no repeats, at most <see cref="MaxTags"/>.</summary>
    public string[] Tags { get; private set; } = [];

    // SLA: the due times set when raised (from the severity), and when the steps they measure first happened.
    public DateTimeOffset? AckDueAt { get; private set; }
    public DateTimeOffset? ResolveDueAt { get; private set; }

    /// <summary>The first move out of OPEN: a person acted on the alert. Kept when the alert moves on or is reopened.</summary>
    public DateTimeOffset? FirstAcknowledgedAt { get; private set; }

    /// <summary>When it was last closed (RESOLVED or FALSE_POSITIVE); cleared when reopened.</summary>
    public DateTimeOffset? ClosedAt { get; private set; }

    // Whether each step happened after its due time, recorded when it happened: plain flags have statistics and partial
    // indexes, where a comparison of two columns would leave the planner guessing a third of the table (sla_breached).
    public bool AcknowledgedLate { get; private set; }
    public bool ClosedLate { get; private set; }

    /// <summary>Whether a due time passed before its step happened (done late, or not done and now past due).</summary>
    public bool IsSlaBreached(DateTimeOffset now) => SlaBreach.IsBreached(AckDueAt, ResolveDueAt, FirstAcknowledgedAt, ClosedAt, now);

    /// <summary>
    /// The detection rule: an OPEN alert for a severe event; null for an event that raises none, or that raised its
    /// alert already (an event raises at most one).
    /// </summary>
    public static Alert? RaiseFor(SecurityEvent securityEvent, DateTimeOffset at, SlaPolicy? sla = null)
    {
        if (!securityEvent.Severity.RaisesAlert() || securityEvent.HasAlert)
        {
            return null;
        }

        var alert = New(securityEvent, securityEvent.Severity, at, sla);
        securityEvent.AttachAlert(alert);
        return alert;
    }

    private static Alert New(SecurityEvent securityEvent, Severity severity, DateTimeOffset at, SlaPolicy? sla)
    {
        var alert = new Alert
        {
            Event = securityEvent,
            Status = AlertStatus.Open,
            Severity = severity,
            Source = securityEvent.Source,
            EventType = securityEvent.EventType,
            Description = securityEvent.Description,
            DetectionModel = securityEvent.DetectionModel,
            DetectionModelVersion = securityEvent.DetectionModelVersion,
            DetectionConfidence = securityEvent.DetectionConfidence,
            DetectionTechnique = securityEvent.DetectionTechnique,
            CreatedAt = at,
            UpdatedAt = at,
            SensorId = securityEvent.SensorId,
            SourceIp = securityEvent.SourceIp,
            DestinationIp = securityEvent.DestinationIp,
            Occurrences = 1,
            FirstSeenAt = securityEvent.OccurredAt,
            LastSeenAt = securityEvent.OccurredAt,
            FoldsEvents = securityEvent.Fingerprint is not null,
        };
        var due = (sla ?? SlaPolicy.None).DueTimes(severity, at);
        alert.AckDueAt = due.AckDueAt;
        alert.ResolveDueAt = due.ResolveDueAt;
        return alert;
    }

    /// <summary>
    /// The grouping rule: a severe event with this collecting alert's fingerprint folds into it instead of raising
    /// another. One more occurrence, first/last seen widened to its time, and a higher severity raises the alert's
    /// (an ESCALATED history entry, made by the platform) and tightens its SLA due times to the new severity's.
    /// </summary>
    public void Fold(SecurityEvent securityEvent, DateTimeOffset at, SlaPolicy? sla = null)
    {
        if (!securityEvent.Severity.RaisesAlert() || securityEvent.HasAlert || Fingerprint is null || RuleId is not null
            || securityEvent.Fingerprint != Fingerprint)
        {
            throw new InvalidOperationException($"Event {securityEvent.Id} does not fold into alert {Id}: it needs a severe event with the alert's fingerprint, and a collecting alert.");
        }

        Occurrences++;
        FirstSeenAt = securityEvent.OccurredAt < FirstSeenAt ? securityEvent.OccurredAt : FirstSeenAt;
        LastSeenAt = securityEvent.OccurredAt > LastSeenAt ? securityEvent.OccurredAt : LastSeenAt;
        if (securityEvent.Severity > Severity)
        {
            _history.Add(AlertHistoryEntry.OfEscalation(Severity, securityEvent.Severity, at));
            Severity = securityEvent.Severity;
            var due = (sla ?? SlaPolicy.None).DueTimes(Severity, at);
            AckDueAt = Earlier(AckDueAt, due.AckDueAt);
            ResolveDueAt = Earlier(ResolveDueAt, due.ResolveDueAt);
        }

        UpdatedAt = at;
        securityEvent.FoldInto(Id);
    }

    /// <summary>Moves the alert along its lifecycle, recording who did it and why. Same status: no-op, no history.</summary>
    public void ChangeStatus(AlertStatus next, long by, string? note, DateTimeOffset at)
    {
        if (next == Status)
        {
            return;
        }

        if (!Status.CanMoveTo(next))
        {
            throw new IllegalTransition(Status, next, Status.NextStates());
        }

        _history.Add(AlertHistoryEntry.OfStatus(Status, next, by, note, at));
        if (Status == AlertStatus.Open && FirstAcknowledgedAt is null)
        {
            FirstAcknowledgedAt = at;
            AcknowledgedLate = at > AckDueAt;
        }

        ClosedAt = next.IsClosed() ? at : null;
        FoldsEvents &= !next.IsClosed();
        ClosedLate = next.IsClosed() && at > ResolveDueAt;
        Status = next;
        UpdatedAt = at;
    }

    /// <summary>
    /// Gives the alert to <paramref name="assignee"/> (null: nobody). An admin may assign any active user; anyone else
    /// may only take an unassigned alert for themselves, or give back their own. Same assignee: no-op, no history.
    /// </summary>
    public void Assign(User? assignee, long by, bool byAdmin, DateTimeOffset at)
    {
        var target = assignee?.Id;
        if (!byAdmin)
        {
            var takesFree = target == by && (AssigneeId is null || AssigneeId == by);
            var givesBackOwn = target is null && (AssigneeId is null || AssigneeId == by);
            if (!takesFree && !givesBackOwn)
            {
                throw new Forbidden(
                    "An analyst may only take an unassigned alert for themselves, or unassign an alert assigned to them.",
                    nameof(Assignee));
            }
        }

        if (assignee is { IsActive: false })
        {
            throw new Invalid($"User {assignee.Id} is inactive and cannot be assigned alerts.", nameof(Assignee));
        }

        if (target == AssigneeId)
        {
            return;
        }

        _history.Add(AlertHistoryEntry.Of(AlertHistoryAction.Assignee, Assignee?.Username ?? IdText(AssigneeId), assignee?.Username, by, at));
        AssigneeId = target;
        Assignee = assignee;
        UpdatedAt = at;
    }

    /// <summary>Replaces the tag set (repeats dropped, order kept). Same set: no-op, no history.</summary>
    public void ReplaceTags(IEnumerable<string> tags, long by, DateTimeOffset at)
    {
        var next = tags.Distinct(StringComparer.Ordinal).ToArray();
        var bad = next.FirstOrDefault(t => !IsTag(t));
        if (bad is not null)
        {
            throw new Invalid(
                $"'{(bad.Length > 60 ? bad[..60] + "…" : bad)}' is not a tag: 1–{TagMaxLength} characters of a-z, 0-9, ':', '_', '.', '-'.",
                nameof(Tags));
        }

        if (next.Length > MaxTags)
        {
            throw new Invalid($"An alert has at most {MaxTags} tags.", nameof(Tags));
        }

        if (next.ToHashSet(StringComparer.Ordinal).SetEquals(Tags))
        {
            return;
        }

        _history.Add(AlertHistoryEntry.Of(AlertHistoryAction.Tags, TagText(Tags), TagText(next), by, at));
        Tags = next;
        UpdatedAt = at;
    }

    /// <summary>Adds and removes tags in one change (bulk tagging): the result must still be a valid tag set.</summary>
    public void ChangeTags(IEnumerable<string> add, IEnumerable<string> remove, long by, DateTimeOffset at)
    {
        var removed = remove.ToHashSet(StringComparer.Ordinal);
        ReplaceTags(Tags.Where(t => !removed.Contains(t)).Concat(add.Where(t => !removed.Contains(t))), by, at);
    }

    /// <summary>A comment by <paramref name="author"/>; the caller stores the returned comment, the history records it.</summary>
    public AlertComment AddComment(long author, string body, DateTimeOffset at)
    {
        if (body.Length is 0 or > AlertComment.BodyMaxLength)
        {
            throw new Invalid($"A comment is 1–{AlertComment.BodyMaxLength} characters.", nameof(AlertComment.Body));
        }

        var comment = new AlertComment(Id, author, body, at);
        _history.Add(AlertHistoryEntry.OfComment(AlertHistoryAction.CommentAdded, comment, author, at));
        UpdatedAt = at;
        return comment;
    }

    /// <summary>Its author or an admin deletes a comment of this alert; it stays stored, unlisted, and the history says so.</summary>
    public void DeleteComment(AlertComment comment, long by, bool byAdmin, DateTimeOffset at)
    {
        if (comment.AlertId != Id || comment.IsDeleted)
        {
            throw new NotFound("Comment", comment.Id);
        }

        if (!byAdmin && comment.AuthorId != by)
        {
            throw new Forbidden("Only its author or an admin may delete a comment.");
        }

        comment.MarkDeleted(at);
        _history.Add(AlertHistoryEntry.OfComment(AlertHistoryAction.CommentDeleted, comment, by, at));
        UpdatedAt = at;
    }

    private static DateTimeOffset? Earlier(DateTimeOffset? a, DateTimeOffset? b) =>
        a is null ? b : b is null ? a : a < b ? a : b;

    private static string? IdText(long? id) => id?.ToString(CultureInfo.InvariantCulture);

    private static string? TagText(string[] tags) => tags.Length == 0 ? null : string.Join(',', tags);

    [GeneratedRegex(TagPattern)]
    private static partial Regex TagForm();

    /// <summary>Whether <paramref name="tag"/> is a tag an alert takes (the rule other tag lists, such as a notification rule's, share).</summary>
    public static bool IsTag(string tag) => tag.Length is > 0 and <= TagMaxLength && TagForm().IsMatch(tag);
}
