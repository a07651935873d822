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
                "Sign-ins (succeeded, failed, throttled), refresh-token reuse, logout-all, role and activation changes, self-registrations, " +
                "registration approvals, admins made by the create-admin command, sensor and key changes, alert status changes: each with " +
                "actor, ip, action, target, at, detail, and hash (HMAC-SHA256, under a key kept outside the database, over the entry and " +
                "previous_hash, the hash of the entry before it; entries written before the chain was keyed keep a plain SHA-256). A target " +
                "names its kind and id, e.g. user:12, sensor:3, api_key:9, alert:77. Admin only.")
            .Produces<PageEnvelope<AuditEntryDto>>();

        audit.MapGet("/verify/", (ISender sender, CancellationToken ct) => sender.Send(new VerifyAuditLogQuery(), ct))
            .WithName("Audit_Verify")
            .WithSummary("Check the audit log's hash chain")
            .WithDescription(
                "Recomputes every entry's hash with the chain key, oldest first, checks that each names its predecessor's hash, and that " +
                "the chain reaches the entry the newest signed checkpoint (published outside the database after each append) names, with " +
                "the hash it names. ok is false when an entry was edited or re-hashed without the key (first_bad_id is that entry), deleted " +
                "(first_bad_id is the entry after the gap), or when the table ends before the checkpoint's entry or holds another hash " +
                "there (first_bad_id is the first missing entry, or the checkpoint's); problem then says which, in words, starting with " +
                "one of gap, edited, unkeyed, unknown_version, rewritten, truncated (e.g. \"truncated: the checkpoint names entry 120 with " +
                "hash …, the table ends at 97\"), and is null when ok. checked counts the entries read; checkpoint_id is the entry the " +
                "newest checkpoint names (null: no checkpoint found, so a deleted tail would go unnoticed). Admin only.")
            .Produces<AuditVerification>();
    }
}
