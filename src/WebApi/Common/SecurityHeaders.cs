namespace ThreatPlatform.WebApi.Common;

/// <summary>Response headers that keep browsers from sniffing, framing or leaking API responses.</summary>
internal static class SecurityHeaders
{
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
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

        return next(context);
    });
}
