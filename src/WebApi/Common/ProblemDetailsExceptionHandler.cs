using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Application.Sensors.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure.Persistence;

namespace ThreatPlatform.WebApi.Common;

/// <summary>The one place known failures become RFC 7807 problem+json; anything unknown is a bare 500 with a trace id.</summary>
internal sealed class ProblemDetailsExceptionHandler(IProblemDetailsService problemDetails, ILogger<ProblemDetailsExceptionHandler> logger)
    : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        if (exception is OperationCanceledException or IOException && httpContext.RequestAborted.IsCancellationRequested)
        {
            // The client went away (a load generator stopping, a browser tab closed) while its request ran, e.g. during
            // the commit. Nothing answered means nothing acknowledged; not an error of ours. Handled here, because a
            // handler that writes nothing lets the middleware rethrow and the request log would call it a 500.
            logger.LogInformation("{Method} {Path}: the client closed the request", httpContext.Request.Method, httpContext.Request.Path);
            if (!httpContext.Response.HasStarted)
            {
                httpContext.Response.StatusCode = StatusCodes.Status499ClientClosedRequest;
            }

            return true;
        }

        var problem = Map(exception);
        if (DatabaseFailure.Of(exception) is { } failure)
        {
            // Expected while the database restarts or is saturated: one line, no stack trace.
            logger.LogWarning("{Method} {Path} answered 503: {Kind} ({Message})", httpContext.Request.Method, httpContext.Request.Path, failure.Kind, exception.GetBaseException().Message);
            httpContext.Response.Headers.RetryAfter = failure.RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }
        else if (problem.Status >= 500)
        {
            logger.LogError(exception, "Unhandled exception on {Method} {Path}", httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = problem.Status ?? StatusCodes.Status500InternalServerError;
        if (exception is RateLimitExceededException limited)
        {
            httpContext.Response.Headers.RetryAfter = Math.Max(1, (int)Math.Ceiling(limited.RetryAfter.TotalSeconds)).ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    internal static ProblemDetails Map(Exception exception) => exception switch
    {
        RequestValidationException v => Validation(v.Errors),
        Invalid i => Validation(ByMember(i.Member, i.Message)!),
        PreconditionFailedException p => Problem(StatusCodes.Status412PreconditionFailed, "Precondition failed", p.Message),
        IllegalTransition t => IllegalTransition(t),
        IdempotencyConflict i => WithExtension(
            Problem(StatusCodes.Status409Conflict, "Idempotency conflict", i.Message),
            "code", RejectedItem.IdempotencyConflict,
            errors: ByMember(i.Member, i.Message)),
        SourcesHoldOthersEvents o => WithExtension(
            Problem(
                StatusCodes.Status409Conflict,
                "Sources hold events written by others",
                o.Message + " Claiming them frees those events' source + external_id keys for this sensor's events (the events stay); to do so, send the request again with claim_existing: true."),
            "existing_events", o.Counts,
            errors: ByMember(o.Member, o.Message + " Send claim_existing: true to claim them anyway.")),
        Conflict c => WithExtension(
            Problem(StatusCodes.Status409Conflict, "Conflict", c.Message),
            null, null,
            errors: ByMember(c.Member, c.Message)),
        Forbidden f => WithExtension(
            Problem(StatusCodes.Status403Forbidden, "Forbidden", f.Message),
            null, null,
            errors: ByMember(f.Member, f.Message)),
        RateLimitExceededException r => Problem(StatusCodes.Status429TooManyRequests, "Too many requests", r.Message),
        AuthenticationFailed a => Problem(StatusCodes.Status401Unauthorized, "Authentication failed", a.Message),
        NotFound n => Problem(StatusCodes.Status404NotFound, "Not found", n.Message),
        DbUpdateConcurrencyException => Problem(
            StatusCodes.Status409Conflict,
            "Concurrent update",
            "Someone else changed this resource at the same time; reload it and try again."),
        BadHttpRequestException b => BadRequest(b),
        RequestBodyRejected r => Problem(r.Status, r.Title, r.Message),
        _ when DatabaseFailure.Of(exception) is { } failure => Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable", failure.Detail),
        OperationCanceledException => Problem(499, "Client closed request", "The request was cancelled."),
        _ => Problem(StatusCodes.Status500InternalServerError, "Internal server error", "An unexpected error occurred. Quote the trace id when you report it."),
    };

    private static ProblemDetails IllegalTransition(IllegalTransition transition)
    {
        var allowed = transition.Allowed.Select(s => s.ToWire()).ToArray();
        var message = $"An alert cannot move from {transition.From.ToWire()} to {transition.To.ToWire()}; allowed next states: {string.Join(", ", allowed)}.";
        return WithExtension(
            Problem(StatusCodes.Status409Conflict, "Illegal status transition", message),
            "allowed", allowed,
            errors: ByMember(transition.Member, message));
    }

    /// <summary>A domain error's message under the wire name of the member it names; null when it names none.</summary>
    private static Dictionary<string, string[]>? ByMember(string? member, string message) =>
        member is null ? null : new Dictionary<string, string[]> { [WireField(member)] = [message] };

    /// <summary>An entity member's wire name (<c>IsActive</c> → <c>is_active</c>), by the JSON naming policy.</summary>
    internal static string WireField(string member) => JsonNamingPolicy.SnakeCaseLower.ConvertName(member);

    private static ProblemDetails BadRequest(BadHttpRequestException exception)
    {
        if (exception.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            return Problem(StatusCodes.Status413PayloadTooLarge, "Request body too large", "The request body is larger than this endpoint accepts.");
        }

        if (exception.StatusCode == StatusCodes.Status415UnsupportedMediaType)
        {
            return Problem(StatusCodes.Status415UnsupportedMediaType, "Unsupported media type", "Send the body as application/json.");
        }

        // Malformed JSON or a value of the wrong type: name the field from the JSON path.
        if (exception.InnerException is JsonException json)
        {
            var field = FieldFromPath(json.Path);
            var message = json.Path is null or "$"
                ? "The body is not valid JSON."
                : $"Invalid value for {field}.";
            return Validation(new Dictionary<string, string[]> { [field] = [message] }, "The request body could not be read.");
        }

        return Problem(exception.StatusCode, "Bad request", "The request could not be read.");
    }

    internal static string FieldFromPath(string? path)
    {
        if (string.IsNullOrEmpty(path) || path == "$")
        {
            return "body";
        }

        var field = path.StartsWith("$.", StringComparison.Ordinal) ? path[2..] : path.TrimStart('$');
        return field.Length == 0 ? "body" : field;
    }

    internal static ProblemDetails Validation(IReadOnlyDictionary<string, string[]> errors, string? detail = null)
    {
        var problem = Problem(StatusCodes.Status400BadRequest, "Validation failed", detail ?? "One or more fields are invalid; see errors.");
        problem.Extensions["errors"] = errors;
        return problem;
    }

    private static ProblemDetails WithExtension(ProblemDetails problem, string? name, object? value, IReadOnlyDictionary<string, string[]>? errors)
    {
        if (name is not null)
        {
            problem.Extensions[name] = value;
        }

        if (errors is not null)
        {
            problem.Extensions["errors"] = errors;
        }

        return problem;
    }

    internal static ProblemDetails Problem(int status, string title, string detail) => new()
    {
        Status = status,
        Title = title,
        Detail = detail,
        Type = $"https://httpstatuses.io/{status}",
    };
}
