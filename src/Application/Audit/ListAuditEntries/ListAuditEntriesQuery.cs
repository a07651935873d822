using Mediator;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Domain.Audit;

namespace ThreatPlatform.Application.Audit.ListAuditEntries;

/// <summary>An audit entry as admins read it (GET /api/audit/).</summary>
public sealed record AuditEntryDto(
    long Id,
    DateTimeOffset At,
    long? ActorId,
    string? Actor,
    string? Ip,
    AuditAction Action,
    string? Target,
    string? Detail,
    string PreviousHash,
    string Hash);

/// <summary>GET /api/audit/: the security audit log, newest first, a page at a time.</summary>
public sealed record ListAuditEntriesQuery(ListCriteria<AuditEntry> Criteria) : IQuery<Page<AuditEntryDto>>
{
    public static readonly ListSpec<AuditEntry> Spec = ListSpec.For<AuditEntry>()
        .AnyOf("action", a => a.Action)
        .Equal("actor", a => a.Actor, AuditEntry.ActorMaxLength)
        .Equal("actor_id", a => a.ActorId!.Value)
        .Equal("target", a => a.Target, AuditEntry.TargetMaxLength)
        .Equal("ip", a => a.ClientAddress, AuditEntry.AddressMaxLength)
        .Range("at", a => a.At)
        .Order("id", a => a.Id)
        .DefaultOrder("-id")
        .TieBreaker(a => a.Id);
}

public sealed class ListAuditEntriesQueryHandler(IApplicationReadDbContext db) : IQueryHandler<ListAuditEntriesQuery, Page<AuditEntryDto>>
{
    public async ValueTask<Page<AuditEntryDto>> Handle(ListAuditEntriesQuery query, CancellationToken cancellationToken)
    {
        var spec = ListAuditEntriesQuery.Spec;
        return await spec.PageAsync(
            spec.Apply(db.AuditEntries.AsNoTracking(), query.Criteria),
            query.Criteria,
            page => page.Select(a => new AuditEntryDto(a.Id, a.At, a.ActorId, a.Actor, a.ClientAddress, a.Action, a.Target, a.Detail, a.PreviousHash, a.Hash)),
            entry => entry,
            cancellationToken);
    }
}
