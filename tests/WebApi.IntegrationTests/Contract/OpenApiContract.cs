using System.Collections.Concurrent;
using System.Globalization;
using System.Net;
using Newtonsoft.Json;
using Newtonsoft.Json.Linq;
using NJsonSchema;
using NJsonSchema.Validation;
using NSwag;

namespace ThreatPlatform.WebApi.IntegrationTests.Contract;

/// <summary>
/// The API's own OpenAPI document as a checker of responses: for a request and the response it got, every way the
/// response departs from the document (no such operation, a status the operation does not list, a content type or a
/// JSON body its schema does not describe). An empty list means the document describes the response.
/// <para>
/// Only paths under <c>/api/</c> are checked: /health/* (plain-text probes for load balancers), /metrics (Prometheus
/// text), /swagger and /redoc (the documentation itself) and the console's files are outside the document on purpose.
/// A CORS preflight (OPTIONS with Access-Control-Request-Method) is answered by the CORS middleware before any
/// operation, and OpenAPI describes no preflights. Endpoints a test host maps for itself live under <c>/api/test/</c>
/// and are not the API's. A request that matches no operation may only be refused as a route that does not exist (404,
/// or 405 for a known path) or, without credentials, by the fallback policy that asks for them before saying whether a
/// path exists (401), with a problem body.
/// </para>
/// </summary>
public sealed class OpenApiContract
{
    private const string ApiPrefix = "/api/";
    private const string TestHostPrefix = "/api/test/";
    private static readonly ConcurrentDictionary<string, Lazy<Task<OpenApiContract>>> Parsed = new(StringComparer.Ordinal);

    private readonly OpenApiDocument _document;
    private readonly List<Route> _routes;

    private OpenApiContract(OpenApiDocument document)
    {
        _document = document;
        _routes = document.Paths
            .SelectMany(path => path.Value.Select(op => new Route(op.Key.ToUpperInvariant(), path.Key, Segments(path.Key), op.Value)))
            .ToList();
    }

    /// <summary>The contract of a served document; hosts serving the same text share one parse.</summary>
    public static Task<OpenApiContract> FromJsonAsync(string json) =>
        Parsed.GetOrAdd(json, text => new Lazy<Task<OpenApiContract>>(async () => new OpenApiContract(await OpenApiDocument.FromJsonAsync(text)))).Value;

    /// <summary>True for the requests the document speaks about (see the class summary for those it does not).</summary>
    public static bool Covers(HttpRequestMessage request)
    {
        var path = request.RequestUri?.AbsolutePath ?? string.Empty;
        if ((!path.StartsWith(ApiPrefix, StringComparison.OrdinalIgnoreCase) && !path.Equals("/api", StringComparison.OrdinalIgnoreCase))
            || path.StartsWith(TestHostPrefix, StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        return !(request.Method == HttpMethod.Options && request.Headers.Contains("Access-Control-Request-Method"));
    }

    /// <summary>Every way <paramref name="response"/> departs from the document; its body is read (buffered) unless it streams.</summary>
    public async Task<IReadOnlyList<string>> CheckAsync(HttpRequestMessage request, HttpResponseMessage response)
    {
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        string? body = null;
        if (request.Method != HttpMethod.Head && !IsStreaming(mediaType))
        {
            await response.Content.LoadIntoBufferAsync();
            body = await response.Content.ReadAsStringAsync();
        }

        return Check(request.Method.Method, request.RequestUri?.AbsolutePath ?? string.Empty, response.StatusCode, mediaType, body);
    }

    /// <summary>
    /// The check itself. <paramref name="body"/> is null when it was not read (a stream, a HEAD request): then only the
    /// status and content type are checked.
    /// </summary>
    public IReadOnlyList<string> Check(string method, string path, HttpStatusCode status, string? mediaType, string? body)
    {
        var code = ((int)status).ToString(CultureInfo.InvariantCulture);
        var route = Match(method.ToUpperInvariant(), path);
        if (route is null)
        {
            return status is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed or HttpStatusCode.Unauthorized
                ? CheckBody($"{method} {path} (no operation) answered {code}", ProblemContent(), mediaType, body)
                : [$"{method} {path} answered {code}, but the document has no operation {method} for this path"];
        }

        var where = $"{method} {route.Template} ({route.Operation.OperationId}) answered {code}";
        var responses = route.Operation.ActualResponses;
        var documented = responses.TryGetValue(code, out var exact) ? exact
            : responses.TryGetValue(code[0] + "XX", out var range) ? range
            : responses.TryGetValue("default", out var fallback) ? fallback
            : null;
        if (documented is null)
        {
            return [$"{where}, a status the operation does not list (it lists {string.Join(", ", responses.Keys)})"];
        }

        return CheckBody(where, documented.Content, mediaType, body);
    }

    private List<string> CheckBody(string where, IDictionary<string, OpenApiMediaType> content, string? mediaType, string? body)
    {
        var empty = body is { Length: 0 };
        if (content.Count == 0)
        {
            return empty || (body is null && mediaType is null) ? [] : [$"{where} with a {mediaType ?? "typeless"} body, where the document describes none"];
        }

        if (empty)
        {
            return [$"{where} with an empty body, where the document describes {string.Join(" or ", content.Keys)}"];
        }

        var described = content.FirstOrDefault(c => string.Equals(c.Key, mediaType, StringComparison.OrdinalIgnoreCase));
        if (described.Value is null)
        {
            return [$"{where} as {mediaType ?? "no content type"}, where the document describes {string.Join(" or ", content.Keys)}"];
        }

        if (body is null || !IsJson(mediaType) || described.Value.Schema is null)
        {
            return [];
        }

        JToken token;
        try
        {
            using var reader = new JsonTextReader(new StringReader(body)) { DateParseHandling = DateParseHandling.None };
            token = JToken.ReadFrom(reader);
        }
        catch (JsonReaderException e)
        {
            return [$"{where} with a body ({mediaType}) that is not JSON: {e.Message}"];
        }

        var schema = described.Value.Schema;
        var errors = new OpenApi3Validator().Validate(token, schema, SchemaType.OpenApi3);
        var name = schema.HasReference ? "#/components/schemas/" + SchemaName(schema.ActualSchema) : "its schema";
        return errors.Count == 0
            ? []
            : [$"{where} with a body ({mediaType}) that does not match {name}: {string.Join("; ", errors.SelectMany(Describe).Distinct())}"];
    }

    private IDictionary<string, OpenApiMediaType> ProblemContent() => new Dictionary<string, OpenApiMediaType>
    {
        ["application/problem+json"] = new() { Schema = new JsonSchema { Reference = _document.Components.Schemas["ProblemDetails"] } },
    };

    private string SchemaName(JsonSchema schema) =>
        _document.Components.Schemas.FirstOrDefault(s => ReferenceEquals(s.Value, schema)).Key ?? "(inline)";

    private Route? Match(string method, string path)
    {
        var segments = Segments(path);
        return _routes
            .Where(r => r.Method == method && r.Segments.Length == segments.Length
                && r.Segments.Zip(segments).All(p => IsParameter(p.First) || string.Equals(p.First, Uri.UnescapeDataString(p.Second), StringComparison.OrdinalIgnoreCase)))
            .OrderByDescending(r => r.Segments.Count(s => !IsParameter(s)))
            .FirstOrDefault();
    }

    /// <summary>Segments without the trailing slash: routing matches <c>/api/alerts</c> and <c>/api/alerts/</c> alike.</summary>
    private static string[] Segments(string path) => path.Split('/', StringSplitOptions.RemoveEmptyEntries);

    private static bool IsParameter(string segment) => segment.StartsWith('{') && segment.EndsWith('}');

    private static bool IsStreaming(string? mediaType) => string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase);

    private static bool IsJson(string? mediaType) => mediaType is not null
        && (mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase) || mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static IEnumerable<string> Describe(ValidationError error) => error is ChildSchemaValidationError child && child.Errors.Count > 0
        ? child.Errors.SelectMany(e => e.Value).SelectMany(Describe).DefaultIfEmpty($"{error.Kind} at {At(error)}")
        : [$"{error.Kind} at {At(error)}"];

    private static string At(ValidationError error) => string.IsNullOrEmpty(error.Path) ? "#" : error.Path;

    private sealed record Route(string Method, string Template, string[] Segments, OpenApiOperation Operation);

    /// <summary>
    /// NJsonSchema's validator reads OpenAPI 3's <c>nullable</c> only at the top: the branches of a
    /// <c>nullable: true, oneOf: [$ref]</c> property (NSwag's form of a nullable reference) are checked as plain JSON
    /// Schema, which rejects the null the property allows.
    /// </summary>
    private sealed class OpenApi3Validator : JsonSchemaValidator
    {
        protected override ICollection<ValidationError> Validate(JToken token, JsonSchema schema, SchemaType schemaType, string? propertyName, string propertyPath) =>
            token.Type == JTokenType.Null && schema.IsNullable(SchemaType.OpenApi3)
                ? []
                : base.Validate(token, schema, SchemaType.OpenApi3, propertyName, propertyPath);
    }
}
