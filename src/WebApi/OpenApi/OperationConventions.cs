using System.Globalization;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Authorization.Infrastructure;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.RateLimiting;
using Namotion.Reflection;
using NSwag;
using NSwag.Generation.AspNetCore;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;
using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.Events;

namespace ThreatPlatform.WebApi.OpenApi;

/// <summary>
/// Describes every operation from its endpoint metadata, so endpoints only say what is particular to them:
/// <list type="bullet">
/// <item>operationId from <c>.WithName("Tag_Action")</c>, summary and description from <c>.WithSummary</c>/<c>.WithDescription</c>;</item>
/// <item>401 and the bearer requirement when the endpoint requires authorization, 403 when its policy admits only some roles;</item>
/// <item>400 for any parameter or body, 413/415 for a body, 404 for a route parameter, 429 with Retry-After when rate limited;</item>
/// <item>maxItems on an array body from <see cref="MaxRequestItems"/> metadata;</item>
/// <item>a description on every response. Statuses particular to an endpoint (409, 423…) come from <c>.ProducesProblem</c>.</item>
/// </list>
/// The problem+json body of every 4xx is set document-wide by <see cref="DocumentConventions"/>.
/// </summary>
internal sealed class OperationConventions(AuthorizationOptions authorization, IReadOnlyCollection<string> allRoles) : IOperationProcessor
{
    public const string SecurityScheme = "Bearer";

    public bool Process(OperationProcessorContext context)
    {
        if (context is not AspNetCoreOperationProcessorContext aspNet)
        {
            return true;
        }

        var metadata = aspNet.ApiDescription.ActionDescriptor.EndpointMetadata;
        var operation = context.OperationDescription.Operation;

        if (metadata.OfType<IEndpointNameMetadata>().LastOrDefault() is { } name)
        {
            operation.OperationId = name.EndpointName;
        }

        operation.Summary = metadata.OfType<IEndpointSummaryMetadata>().LastOrDefault()?.Summary ?? operation.Summary;
        operation.Description = metadata.OfType<IEndpointDescriptionMetadata>().LastOrDefault()?.Description ?? operation.Description;

        foreach (var parameter in operation.Parameters)
        {
            Bound(parameter);
            TypeFilter(parameter, context);
        }

        var hasBody = operation.RequestBody is not null;
        if (hasBody)
        {
            AddAcceptedContentTypes(operation.RequestBody!, metadata);
        }

        if (hasBody && metadata.OfType<MaxRequestItems>().LastOrDefault() is { } maxItems)
        {
            foreach (var content in operation.RequestBody!.Content.Values)
            {
                if (content.Schema?.ActualSchema is { } body && body.Type.HasFlag(NJsonSchema.JsonObjectType.Array))
                {
                    body.MaxItems = maxItems.MaxItems;
                }
            }
        }

        if (hasBody || operation.Parameters.Any(p => p.Kind == OpenApiParameterKind.Query))
        {
            AddResponse(operation, StatusCodes.Status400BadRequest);
        }

        if (hasBody)
        {
            AddResponse(operation, StatusCodes.Status413PayloadTooLarge);
            AddResponse(operation, StatusCodes.Status415UnsupportedMediaType);
        }

        if (operation.Parameters.Any(p => p.Kind == OpenApiParameterKind.Path))
        {
            AddResponse(operation, StatusCodes.Status404NotFound);
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any() && !metadata.OfType<DisableRateLimitingAttribute>().Any())
        {
            AddResponse(operation, StatusCodes.Status429TooManyRequests);
        }

        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        if (authorize.Count > 0 && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [new OpenApiSecurityRequirement { [SecurityScheme] = [] }];
            AddResponse(operation, StatusCodes.Status401Unauthorized);
            if (authorize.Any(IsRoleRestricted))
            {
                AddResponse(operation, StatusCodes.Status403Forbidden);
            }
        }

        AddResponse(operation, StatusCodes.Status500InternalServerError);
        foreach (var (status, response) in operation.Responses)
        {
            if (string.IsNullOrEmpty(response.Description))
            {
                response.Description = Describe(status);
            }

            if (status is "423" or "429" && !response.Headers.ContainsKey("Retry-After"))
            {
                response.Headers["Retry-After"] = new OpenApiHeader
                {
                    Description = "Seconds to wait before trying again.",
                    Schema = new NJsonSchema.JsonSchema { Type = NJsonSchema.JsonObjectType.Integer, Format = "int32", Minimum = 1, Maximum = 86_400 },
                };
            }
        }

        var ordered = operation.Responses.OrderBy(r => r.Key, StringComparer.Ordinal).ToList();
        operation.Responses.Clear();
        foreach (var (status, response) in ordered)
        {
            operation.Responses[status] = response;
        }

        return true;
    }

    /// <summary>True when the endpoint's policy or roles leave out some role, i.e. a signed-in user may get a 403.</summary>
    private bool IsRoleRestricted(IAuthorizeData data)
    {
        if (!string.IsNullOrWhiteSpace(data.Roles))
        {
            return true;
        }

        var policy = data.Policy is null ? authorization.DefaultPolicy : authorization.GetPolicy(data.Policy);
        return policy is not null && policy.Requirements.Any(r => r switch
        {
            RolesAuthorizationRequirement roles => !allRoles.All(role => roles.AllowedRoles.Contains(role, StringComparer.Ordinal)),
            DenyAnonymousAuthorizationRequirement => false,
            _ => true,
        });
    }

    /// <summary>
    /// Types and ranges every client may rely on: <c>page</c> and <c>page_size</c> are whole numbers, <c>page</c> from 1,
    /// <c>page_size</c> at most <see cref="Paging.MaxPageSize"/> (larger values are clamped); integer route ids are
    /// positive. An endpoint's own bounds win.
    /// </summary>
    private static void Bound(OpenApiParameter parameter)
    {
        var schema = parameter.Schema ?? parameter;
        if (parameter.Kind == OpenApiParameterKind.Query && parameter.Name is "page" or "page_size" && schema.Type.HasFlag(NJsonSchema.JsonObjectType.String))
        {
            // Paging parameters bind as text so that "abc" is a 400 naming them; on the wire they are whole numbers.
            schema.Type = NJsonSchema.JsonObjectType.Integer;
            schema.Format = "int32";
        }

        if (schema.Type.HasFlag(NJsonSchema.JsonObjectType.Integer) is false || schema.Minimum is not null || schema.Maximum is not null)
        {
            return;
        }

        (schema.Minimum, schema.Maximum) = (parameter.Kind, parameter.Name) switch
        {
            (OpenApiParameterKind.Query, "page_size") => (1m, (decimal?)Paging.MaxPageSize),
            _ => (1m, schema.Format == "int64" ? long.MaxValue : int.MaxValue),
        };
    }

    /// <summary>
    /// The contract's filter parameters bind as text (so a bad value is a 400 naming them); on the wire they are typed
    /// by name alike on every list: <c>status</c> and <c>*severity</c> are lists of enum values, <c>*__gte</c> and
    /// <c>*__lte</c> are ISO 8601 timestamps.
    /// </summary>
    private static void TypeFilter(OpenApiParameter parameter, OperationProcessorContext context)
    {
        if (parameter.Kind != OpenApiParameterKind.Query)
        {
            return;
        }

        var schema = parameter.Schema ?? parameter;
        var enumType = parameter.Name switch
        {
            "status" => typeof(AlertStatus),
            "severity" or "event__severity" => typeof(Severity),
            _ => null,
        };
        if (enumType is not null && schema.Type.HasFlag(NJsonSchema.JsonObjectType.Array) && schema.Item is { } item && item.Type.HasFlag(NJsonSchema.JsonObjectType.String))
        {
            schema.Item = context.SchemaGenerator.GenerateWithReference<NJsonSchema.JsonSchema>(enumType.ToContextualType(), context.SchemaResolver);
            parameter.Description ??= "Repeat the parameter or separate values with commas; any of them matches.";
        }
        else if ((parameter.Name.EndsWith("__gte", StringComparison.Ordinal) || parameter.Name.EndsWith("__lte", StringComparison.Ordinal))
            && schema.Type.HasFlag(NJsonSchema.JsonObjectType.String) && schema.Format is null)
        {
            schema.Format = "date-time";
        }
    }

    /// <summary>Every content type of <c>.Accepts(…)</c> (e.g. JSON and NDJSON), with the body schema of the first.</summary>
    private static void AddAcceptedContentTypes(OpenApiRequestBody body, IList<object> metadata)
    {
        var schema = body.Content.Values.FirstOrDefault()?.Schema;
        if (schema is null)
        {
            return;
        }

        foreach (var contentType in metadata.OfType<IAcceptsMetadata>().SelectMany(a => a.ContentTypes))
        {
            if (!body.Content.ContainsKey(contentType))
            {
                body.Content[contentType] = new OpenApiMediaType { Schema = schema };
            }
        }
    }

    private static void AddResponse(OpenApiOperation operation, int status)
    {
        var key = status.ToString(CultureInfo.InvariantCulture);
        if (!operation.Responses.ContainsKey(key))
        {
            operation.Responses[key] = new OpenApiResponse();
        }
    }

    internal static string Describe(string status) => status switch
    {
        "200" => "OK.",
        "201" => "Created.",
        "204" => "Done; no content.",
        "400" => "Malformed or invalid input: `errors` names each snake_case field or query parameter.",
        "401" => "Not authenticated: credentials or access token missing, wrong, expired or revoked.",
        "403" => "Authenticated, but this role may not do this.",
        "404" => "No such resource.",
        "409" => "Conflict with the current state (a duplicate, an illegal status transition, the last admin).",
        "413" => "The request body is larger than this endpoint accepts.",
        "415" => "Unsupported content type.",
        "422" => "The input is well formed but cannot be processed.",
        "423" => "The account is locked after repeated failed sign-ins; Retry-After says for how long.",
        "429" => "Too many requests; Retry-After says when to try again.",
        "500" => "Unexpected failure: a problem with only a trace_id to quote, never internals.",
        _ => "See the status code.",
    };
}
