namespace ThreatPlatform.WebApi.Common;

/// <summary>Response headers that keep browsers from sniffing, framing or leaking API responses.</summary>
internal static class SecurityHeaders
{
    /// <summary>
    /// First in the pipeline, applied as the response starts: the exception handler clears the headers of a failed
    /// response before it writes the problem, so headers set on the way in would be missing from errors.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        context.Response.OnStarting(static state =>
        {
            Apply((HttpContext)state);
            return Task.CompletedTask;
        }, context);
        return next(context);
    });

    /// <summary>The SOC console: its own scripts, styles, fonts and API only.</summary>
    public const string ConsolePolicy =
        "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; " +
        "connect-src 'self'; worker-src 'none'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    /// <summary>ReDoc and Swagger UI, served by the API itself: nothing from another origin.</summary>
    public const string DocsPolicy =
        "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; " +
        "connect-src 'self'; worker-src 'self' blob:; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";

    private static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";

        // Data answers load nothing; the console loads only its own files (no inline script, no other origin); the
        // documentation pages likewise, except for the inline styles ReDoc's styled-components and Swagger UI write and
        // the inline bootstrap script of NSwag's Swagger UI page.
        var path = context.Request.Path;
        if (path.StartsWithSegments("/swagger"))
        {
            headers.ContentSecurityPolicy = DocsPolicy.Replace("script-src 'self'", "script-src 'self' 'unsafe-inline'", StringComparison.Ordinal);
        }
        else if (path.StartsWithSegments("/redoc"))
        {
            headers.ContentSecurityPolicy = DocsPolicy;
        }
        else if (WebConsole.ConsoleHosting.IsReserved(path))
        {
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            headers.CacheControl = "no-store";
        }
        else
        {
            headers.ContentSecurityPolicy = ConsolePolicy;
            if (string.IsNullOrEmpty(headers.CacheControl))
            {
                headers.CacheControl = "no-store";
            }
        }
    }
}
