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
using ThreatPlatform.WebApi.Common;

namespace ThreatPlatform.WebApi.OpenApi;

/// <summary>
/// Describes every operation from its endpoint metadata, so endpoints only say what is particular to them:
/// <list type="bullet">
/// <item>operationId from <c>.WithName("Tag_Action")</c>, summary and description from <c>.WithSummary</c>/<c>.WithDescription</c>;</item>
/// <item>401 and the bearer requirement when the endpoint requires authorization, 403 when its policy admits only some roles
/// (a sensor's API key counts as a role: it authenticates everywhere, and only the ingest policy admits it);</item>
/// <item>400 for any parameter or body, 413/415 for a body, 404 for a route parameter or a paged list (a page past the end), 429 and 503 with Retry-After on every operation;</item>
/// <item>each response's content types as the endpoint's <c>.Produces</c> declares them (NSwag writes application/json for every one);</item>
/// <item>maxItems on an array body from <see cref="MaxRequestItems"/> metadata;</item>
/// <item>a description on every response. Statuses particular to an endpoint (409, 423…) come from <c>.ProducesProblem</c>.</item>
/// </list>
/// The problem+json body of every 4xx is set document-wide by <see cref="DocumentConventions"/>.
/// </summary>
internal sealed class OperationConventions(AuthorizationOptions authorization, IReadOnlyCollection<string> userRoles) : IOperationProcessor
{
    /// <summary>Every role a principal may carry: the users' and the SENSOR role of an API key's principal.</summary>
    private readonly string[] _allRoles = [.. userRoles, Auth.ApiKeyAuthentication.SensorRole];

    public const string SecurityScheme = "Bearer";
    public const string ApiKeySecurityScheme = "ApiKey";

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

        AddListParameters(operation, metadata, context);
        foreach (var parameter in operation.Parameters)
        {
            Bound(parameter);
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

        // A text body (raw records) is bounded by the endpoint's body size limit: the schema says so (bytes bound chars).
        if (hasBody && metadata.OfType<Microsoft.AspNetCore.Http.Metadata.IRequestSizeLimitMetadata>().LastOrDefault() is { MaxRequestBodySize: { } maxBytes })
        {
            foreach (var content in operation.RequestBody!.Content.Values)
            {
                if (content.Schema?.ActualSchema is { } body && body.Type == NJsonSchema.JsonObjectType.String && body.MaxLength is null)
                {
                    body.MaxLength = (int)Math.Min(maxBytes, int.MaxValue);
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

        // A paged list answers a page past the end with a 404 (Paging.ThrowIfPastEnd), as DRF does.
        if (operation.Parameters.Any(p => p.Kind == OpenApiParameterKind.Path) || metadata.OfType<ListParameters>().Any())
        {
            AddResponse(operation, StatusCodes.Status404NotFound);
        }

        // Every endpoint is behind the per-principal buckets (Limits/RequestRateLimiting) and reaches the database.
        if (!metadata.OfType<DisableRateLimitingAttribute>().Any())
        {
            AddResponse(operation, StatusCodes.Status429TooManyRequests);
        }

        AddResponse(operation, StatusCodes.Status503ServiceUnavailable);

        var authorize = metadata.OfType<IAuthorizeData>().ToList();
        if (authorize.Count > 0 && !metadata.OfType<IAllowAnonymous>().Any())
        {
            operation.Security = [new OpenApiSecurityRequirement { [SecurityScheme] = [] }];
            if (authorize.Any(a => a.Policy == Policies.Ingest))
            {
                operation.Security.Add(new OpenApiSecurityRequirement { [ApiKeySecurityScheme] = [] });
            }
            AddResponse(operation, StatusCodes.Status401Unauthorized);
            if (authorize.Any(IsRoleRestricted))
            {
                AddResponse(operation, StatusCodes.Status403Forbidden);
            }
        }

        AddResponse(operation, StatusCodes.Status500InternalServerError);
        ApplyDeclaredContentTypes(operation, metadata);
        foreach (var (status, response) in operation.Responses)
        {
            if (string.IsNullOrEmpty(response.Description))
            {
                response.Description = Describe(status);
            }

            if (status is "429" or "503" && !response.Headers.ContainsKey("Retry-After"))
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
            RolesAuthorizationRequirement roles => !_allRoles.All(role => roles.AllowedRoles.Contains(role, StringComparer.Ordinal)),
            DenyAnonymousAuthorizationRequirement => false,
            _ => true,
        });
    }

    /// <summary>
    /// Integer route ids are positive. A parameter's own bounds win; a missing one is its type's.
    /// </summary>
    private static void Bound(OpenApiParameter parameter)
    {
        var schema = parameter.Schema ?? parameter;
        if (schema.Type.HasFlag(NJsonSchema.JsonObjectType.Integer) is false)
        {
            return;
        }

        var int64 = schema.Format == "int64";
        if (schema.Minimum is null && schema.Maximum is null)
        {
            (schema.Minimum, schema.Maximum) = (1m, int64 ? long.MaxValue : int.MaxValue);
            return;
        }

        // One bound declared (a filter with only a minimum, say): the other is the type's.
        schema.Minimum ??= int64 ? long.MinValue : int.MinValue;
        schema.Maximum ??= int64 ? long.MaxValue : int.MaxValue;
    }

    /// <summary>The query parameters a list declares (<see cref="ListParameters"/>), typed from the spec.</summary>
    private static void AddListParameters(OpenApiOperation operation, IList<object> metadata, OperationProcessorContext context)
    {
        if (metadata.OfType<ListParameters>().LastOrDefault() is not { } list)
        {
            return;
        }

        foreach (var declared in list.Parameters)
        {
            var schema = Schema(declared.ValueType, context);
            // A repeatable parameter's bounds are each value's (ListParameter.Refusal checks them one by one).
            var bounded = schema;
            if (declared.Repeatable)
            {
                schema = new NJsonSchema.JsonSchema { Type = NJsonSchema.JsonObjectType.Array, Item = schema };
            }

            if (!schema.HasReference)
            {
                // A $ref may have no siblings; an optional parameter is absent rather than null anyway.
                schema.IsNullableRaw = true;
            }

            if (!bounded.HasReference)
            {
                bounded.MaxLength = declared.MaxLength;
                if (declared.MinLength is { } minLength)
                {
                    bounded.MinLength = minLength;
                }

                bounded.Minimum = (decimal?)declared.Minimum;
                bounded.Maximum = (decimal?)declared.Maximum;
            }
            var parameter = new OpenApiParameter
            {
                Name = declared.Name,
                Kind = OpenApiParameterKind.Query,
                Schema = schema,
                Description = declared.Description,
                Position = operation.Parameters.Count + 1,
            };
            if (declared.Repeatable)
            {
                parameter.Style = OpenApiParameterStyle.Form;
                parameter.Explode = true;
            }

            operation.Parameters.Add(parameter);
        }
    }

    private static NJsonSchema.JsonSchema Schema(Type type, OperationProcessorContext context)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (type.IsEnum)
        {
            return context.SchemaGenerator.GenerateWithReference<NJsonSchema.JsonSchema>(type.ToContextualType(), context.SchemaResolver);
        }

        return type switch
        {
            _ when type == typeof(int) => new NJsonSchema.JsonSchema { Type = NJsonSchema.JsonObjectType.Integer, Format = "int32" },
            _ when type == typeof(long) => new NJsonSchema.JsonSchema { Type = NJsonSchema.JsonObjectType.Integer, Format = "int64" },
            _ when type == typeof(double) => new NJsonSchema.JsonSchema { Type = NJsonSchema.JsonObjectType.Number, Format = "double" },
            _ when type == typeof(bool) => new NJsonSchema.JsonSchema { Type = NJsonSchema.JsonObjectType.Boolean },
            _ when type == typeof(DateTimeOffset) => new NJsonSchema.JsonSchema { Type = NJsonSchema.JsonObjectType.String, Format = "date-time" },
            _ => new NJsonSchema.JsonSchema { Type = NJsonSchema.JsonObjectType.String },
        };
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

    /// <summary>
    /// A success response's media types as <c>.Produces&lt;T&gt;(status, contentType)</c> declares them, with the schema
    /// NSwag gave it (e.g. the alert stream's text/event-stream, whose events carry an alert each). Errors are set
    /// document-wide (<see cref="DocumentConventions"/>).
    /// </summary>
    private static void ApplyDeclaredContentTypes(OpenApiOperation operation, IList<object> metadata)
    {
        foreach (var produces in metadata.OfType<IProducesResponseTypeMetadata>().Where(p => p.StatusCode < 400 && p.ContentTypes.Any()))
        {
            var key = produces.StatusCode.ToString(CultureInfo.InvariantCulture);
            if (!operation.Responses.TryGetValue(key, out var response) || response.Content.Count == 0
                || response.Content.Keys.SequenceEqual(produces.ContentTypes, StringComparer.OrdinalIgnoreCase))
            {
                continue;
            }

            var schema = response.Content.Values.First().Schema;
            response.Content.Clear();
            foreach (var contentType in produces.ContentTypes)
            {
                response.Content[contentType] = new OpenApiMediaType { Schema = schema };
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
        "403" => "Authenticated, but not allowed: this role may not do this (a sensor's API key may only ingest events).",
        "404" => "No such resource.",
        "409" => "Conflict with the current state (a duplicate, an illegal status transition, the last admin).",
        "413" => "The request body is larger than this endpoint accepts.",
        "415" => "Unsupported content type.",
        "429" => "Too many requests; Retry-After says when to try again.",
        "500" => "Unexpected failure: a problem with only a trace_id to quote, never internals.",
        "503" => "The database is unavailable or saturated (no free connection, or the query ran past the statement timeout); Retry-After says when to try again.",
        _ => "See the status code.",
    };
}
