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

    private static void Apply(HttpContext context)
    {
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = "nosniff";
        headers.XFrameOptions = "DENY";
        headers["Referrer-Policy"] = "no-referrer";
        headers["Cross-Origin-Opener-Policy"] = "same-origin";

        // The documentation pages run scripts and styles of their own; everything else is data only.
        var path = context.Request.Path;
        if (!path.StartsWithSegments("/swagger") && !path.StartsWithSegments("/redoc"))
        {
            headers.ContentSecurityPolicy = "default-src 'none'; frame-ancestors 'none'";
            headers.CacheControl = "no-store";
        }
    }
}
