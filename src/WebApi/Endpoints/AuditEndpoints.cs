using Mediator;
using ThreatPlatform.Application.Audit.ListAuditEntries;
using ThreatPlatform.Application.Audit.VerifyAuditLog;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.OpenApi;
using ThreatPlatform.WebApi.Wire;

namespace ThreatPlatform.WebApi.Endpoints;

internal static class AuditEndpoints
{
    public static void MapAuditEndpoints(this IEndpointRouteBuilder api)
    {
        var audit = api.MapGroup("/audit").WithTags("Audit").RequireAuthorization(Policies.Admin);

        audit.MapGet("/", async (HttpRequest request, ISender sender, CancellationToken ct) =>
                PageEnvelope.From(await sender.Send(new ListAuditEntriesQuery(request.ListCriteria(ListAuditEntriesQuery.Spec)), ct), request))
            .WithListParameters(ListAuditEntriesQuery.Spec)
            .WithName("Audit_List")
            .WithSummary("The security audit log, newest first")
            .WithDescription(
                "Sign-ins (succeeded, failed, throttled), refresh-token reuse, logout-all, role and activation changes, registration " +
                "approvals, sensor and key changes, alert status changes: each with actor, ip, action, target, at, detail, and hash (SHA-256 " +
                "over the entry and previous_hash, the hash of the entry before it). Filters: action, actor, actor_id, target (e.g. " +
                "user:12, sensor:3, api_key:9, alert:77), ip, at__gte, at__lte. Admin only.")
            .Produces<PageEnvelope<AuditEntryDto>>();

        audit.MapGet("/verify/", (ISender sender, CancellationToken ct) => sender.Send(new VerifyAuditLogQuery(), ct))
            .WithName("Audit_Verify")
            .WithSummary("Check the audit log's hash chain")
            .WithDescription(
                "Recomputes every entry's hash, oldest first, and checks that each names its predecessor's hash. ok is false when an entry " +
                "was edited (first_bad_id is that entry) or deleted (first_bad_id is the entry after the gap); checked counts the entries " +
                "read. Admin only.")
            .Produces<AuditVerification>();
    }
}
