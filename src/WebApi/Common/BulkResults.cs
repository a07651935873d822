using ThreatPlatform.Application.Alerts.BulkUpdateAlerts;

namespace ThreatPlatform.WebApi.Common;

/// <summary>The answer to POST /api/alerts/bulk/: one result per id, each refusal with the status the single action would give.</summary>
public sealed record BulkResults(IReadOnlyList<BulkResultItem> Results)
{
    public static BulkResults From(BulkUpdateResult result) => new([.. result.Results.Select(item =>
    {
        if (item.Error is null)
        {
            return new BulkResultItem(item.Id, true, StatusCodes.Status200OK, null);
        }

        // The one mapping of known failures to statuses, as for a single request.
        var problem = ProblemDetailsExceptionHandler.Map(item.Error);
        return new BulkResultItem(item.Id, false, problem.Status ?? StatusCodes.Status500InternalServerError, problem.Detail);
    })]);
}

/// <summary>One id's outcome: ok with 200, or the status and message of its refusal.</summary>
public sealed record BulkResultItem(long Id, bool Ok, int StatusCode, string? Error);
