using Swashbuckle.AspNetCore.ReDoc;

namespace ThreatPlatform.WebApi.Docs;

/// <summary>
/// The OpenAPI document, Swagger UI and ReDoc, every asset served from this process: NSwag embeds Swagger UI, and
/// Swashbuckle.AspNetCore.ReDoc embeds ReDoc's standalone bundle (NSwag's ReDoc page loads it from a CDN and its fonts
/// from Google, a blank page on an air-gapped network).
/// </summary>
internal static class DocsHosting
{
    public const string DocumentPath = "/swagger/v1/swagger.json";

    /// <summary>
    /// The documentation's middleware (NSwag's document, Swagger UI, ReDoc) runs only for paths outside /api/: each one
    /// matches the path against its own routes, work an API request (ingest thousands of times a second) never needs.
    /// </summary>
    public static void UseApiDocs(this WebApplication app)
    {
        app.UseWhen(http => !http.Request.Path.StartsWithSegments("/api", StringComparison.OrdinalIgnoreCase), UseDocsMiddleware);
        app.MapGet("/redoc/offline.js", () => Results.Stream(
                typeof(DocsHosting).Assembly.GetManifestResourceStream("ThreatPlatform.WebApi.Docs.redoc-offline.js")!,
                "text/javascript; charset=utf-8"))
            .AllowAnonymous() // part of the public documentation page
            .ExcludeFromDescription();
    }

    private static void UseDocsMiddleware(IApplicationBuilder app)
    {
        app.UseOpenApi(o =>
        {
            o.Path = "/swagger/{documentName}/swagger.json";
            // No server URL from the request's host: the document is the same wherever it is fetched (clients set baseUrl).
            o.PostProcess = (document, _) => document.Servers.Clear();
        });
        app.UseSwaggerUi(o =>
        {
            o.Path = "/swagger";
            o.DocumentPath = "/swagger/{documentName}/swagger.json";
        });

        var options = new ReDocOptions
        {
            RoutePrefix = "redoc",
            SpecUrl = DocumentPath,
            DocumentTitle = "ThreatPlatform API",
            IndexStream = () => typeof(DocsHosting).Assembly.GetManifestResourceStream("ThreatPlatform.WebApi.Docs.redoc-index.html")!,
        };
        // System fonts instead of ReDoc's default web fonts (Montserrat, Roboto), which would come from another origin.
        options.ConfigObject.AdditionalItems["theme"] = new Dictionary<string, object>
        {
            ["typography"] = new Dictionary<string, object>
            {
                ["fontFamily"] = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif",
                ["headings"] = new Dictionary<string, object> { ["fontFamily"] = "system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif" },
            },
        };
        ReDocBuilderExtensions.UseReDoc(app, options);
    }
}
