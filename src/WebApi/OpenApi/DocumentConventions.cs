using NJsonSchema;
using NSwag;
using NSwag.Generation.Processors;
using NSwag.Generation.Processors.Contexts;

namespace ThreatPlatform.WebApi.OpenApi;

/// <summary>
/// Document-wide shape after every operation is described: paths end with a slash as on the wire, every 4xx is the
/// one RFC 7807 <c>ProblemDetails</c> schema as <c>application/problem+json</c>, the bearer scheme is declared (each
/// operation says whether it needs it), and no server URL is baked in, so the document is the same wherever it is
/// fetched from (the committed copy under clients/typescript is compared with a fresh one in CI).
/// </summary>
internal sealed class DocumentConventions : IDocumentProcessor
{
    public const string ProblemSchemaName = "ProblemDetails";
    public const string ProblemContentType = "application/problem+json";

    /// <summary>ASP.NET Core's own problem types, which the wire's ProblemDetails below replaces.</summary>
    private static readonly string[] ReplacedSchemas = ["ProblemDetails", "HttpValidationProblemDetails"];

    private static readonly Dictionary<string, string> TagDescriptions = new(StringComparer.Ordinal)
    {
        ["Auth"] = "Register, sign in, rotate and revoke tokens.",
        ["Users"] = "User administration (admins only).",
        ["Events"] = "Security events pushed by sensors; HIGH and CRITICAL ones raise an alert.",
        ["Alerts"] = "Alerts and their status lifecycle with an audit trail.",
        ["Sensors"] = "Sensors (firewalls, IDS/EDR, AI models), the event sources they own, and their API keys (admins only).",
    };

    public void Process(DocumentProcessorContext context)
    {
        var document = context.Document;
        document.Servers.Clear();
        document.Security = [];
        document.Components.SecuritySchemes[OperationConventions.SecurityScheme] = new OpenApiSecurityScheme
        {
            Type = OpenApiSecuritySchemeType.Http,
            Scheme = "bearer",
            BearerFormat = "JWT",
            Description = "The short-lived HS256 access token from POST /api/auth/login/ (RFC8725 practices: one algorithm, "
                + "issuer, audience and expiry checked); renew it with POST /api/auth/refresh/.",
        };
        document.Components.SecuritySchemes[OperationConventions.ApiKeySecurityScheme] = new OpenApiSecurityScheme
        {
            Type = OpenApiSecuritySchemeType.ApiKey,
            In = OpenApiSecurityApiKeyLocation.Header,
            Name = "X-Api-Key",
            Description = "A sensor's API key (tp_<prefix>_<secret>), also accepted as 'Authorization: ApiKey <key>'. "
                + "It may only ingest events; anything else with a key is a 403.",
        };

        document.Tags = document.Operations
            .SelectMany(o => o.Operation.Tags)
            .Distinct(StringComparer.Ordinal)
            .Select(tag => new OpenApiTag { Name = tag, Description = TagDescriptions.GetValueOrDefault(tag) })
            .ToList();

        foreach (var name in ReplacedSchemas)
        {
            document.Components.Schemas.Remove(name);
        }

        var problem = ProblemSchema();
        document.Components.Schemas[ProblemSchemaName] = problem;

        foreach (var operation in document.Operations.Select(o => o.Operation))
        {
            foreach (var (status, response) in operation.Responses)
            {
                if (status.Length == 3 && status[0] is '4' or '5')
                {
                    response.Content.Clear();
                    response.Content[ProblemContentType] = new OpenApiMediaType { Schema = new JsonSchema { Reference = problem } };
                }
            }
        }

        // The wire's paths end with a slash (as the original platform's); ApiExplorer drops it.
        var paths = document.Paths.ToList();
        document.Paths.Clear();
        foreach (var (path, item) in paths)
        {
            document.Paths[path.EndsWith('/') ? path : path + "/"] = item;
        }
    }

    /// <summary>RFC 7807 as this API writes it (see ProblemDetailsExceptionHandler and AddProblemDetails).</summary>
    private static JsonSchema ProblemSchema()
    {
        var schema = new JsonSchema
        {
            Type = JsonObjectType.Object,
            Description = "An RFC 7807 problem. `errors` maps a snake_case field or query parameter to its messages; "
                + "`allowed` lists the next statuses an illegal transition could have taken.",
            AllowAdditionalProperties = true,
        };
        schema.Properties["type"] = Text("A URI naming the kind of problem.", 2048, "uri-reference");
        schema.Properties["title"] = Text("A short, human-readable summary of the problem.", 256);
        schema.Properties["status"] = new JsonSchemaProperty
        {
            Type = JsonObjectType.Integer,
            Format = "int32",
            Minimum = 400,
            Maximum = 599,
            Description = "The HTTP status code.",
        };
        schema.Properties["detail"] = Text("What went wrong on this request.", 4096);
        schema.Properties["instance"] = Text("The request path.", 2048);
        schema.Properties["trace_id"] = Text("Quote it when reporting a problem: it finds the request in the logs.", 128);
        schema.Properties["errors"] = new JsonSchemaProperty
        {
            Type = JsonObjectType.Object,
            Description = "Messages per snake_case field or query parameter.",
            AdditionalPropertiesSchema = new JsonSchema
            {
                Type = JsonObjectType.Array,
                MaxItems = 100,
                Item = new JsonSchema { Type = JsonObjectType.String, MaxLength = 1024 },
            },
        };
        schema.Properties["allowed"] = new JsonSchemaProperty
        {
            Type = JsonObjectType.Array,
            Description = "On an illegal status transition: the statuses the alert may move to.",
            MaxItems = 16,
            Item = new JsonSchema { Type = JsonObjectType.String, MaxLength = 32 },
        };
        schema.RequiredProperties.Add("type");
        schema.RequiredProperties.Add("title");
        schema.RequiredProperties.Add("status");
        return schema;
    }

    private static JsonSchemaProperty Text(string description, int maxLength, string? format = null) => new()
    {
        Type = JsonObjectType.String,
        Description = description,
        MaxLength = maxLength,
        Format = format,
    };
}
