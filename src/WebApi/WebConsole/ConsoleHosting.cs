using System.Text;
using Microsoft.Extensions.FileProviders;
using Microsoft.Extensions.Options;
using ThreatPlatform.Infrastructure.Configuration;

namespace ThreatPlatform.WebApi.WebConsole;

/// <summary>
/// Serves the SOC console (web/, built by Vite) at <c>/</c>: its files, and index.html for any other GET that is not
/// an API, documentation, health or metrics path (client-side routes such as <c>/alerts/42</c>). Without a build the
/// API still runs and <c>/</c> says how to build the console.
/// </summary>
internal static class ConsoleHosting
{
    /// <summary>Paths the console never answers: a miss there stays the API's 404 problem.</summary>
    public static readonly string[] ReservedPrefixes = ["/api", "/swagger", "/redoc", "/health", "/metrics"];

    private const string NotBuiltPage = """
        <!DOCTYPE html>
        <html lang="en"><head><meta charset="utf-8"><title>ThreatPlatform: console not built</title></head>
        <body><main><h1>The SOC console is not built</h1>
        <p>The API is running: see <a href="/swagger/">/swagger/</a> and <a href="/redoc/">/redoc/</a>.</p>
        <p>To build the console, install Node.js 20.19 or later and run <code>make console</code>
        (or <code>cd web &amp;&amp; npm ci &amp;&amp; npm run build</code>), then restart the API.
        <code>make run</code> does this for you when Node.js is present.</p>
        <p>A console built elsewhere is found through the <code>Console__Root</code> setting.</p></main></body></html>
        """;

    public static bool IsReserved(PathString path) =>
        ReservedPrefixes.Any(prefix => path.StartsWithSegments(prefix, StringComparison.OrdinalIgnoreCase));

    public static IServiceCollection AddConsoleFiles(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ConsoleOptions>()
            .Bind(configuration.GetSection(ConsoleOptions.Section))
            .ValidateSettings(ConsoleOptions.Section)
            .ValidateOnStart();
        return services;
    }

    /// <summary>The built console's folder: <c>Console__Root</c>, else the nearest <c>web/dist</c> above the app.</summary>
    public static string? FindRoot(ConsoleOptions options, IWebHostEnvironment environment)
    {
        var configured = options.Root;
        if (!string.IsNullOrWhiteSpace(configured))
        {
            var full = Path.GetFullPath(configured, environment.ContentRootPath);
            return File.Exists(Path.Combine(full, "index.html")) ? full : null;
        }

        foreach (var start in new[] { environment.ContentRootPath, AppContext.BaseDirectory })
        {
            for (var dir = new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                var candidate = Path.Combine(dir.FullName, "web", "dist");
                if (File.Exists(Path.Combine(candidate, "index.html")))
                {
                    return candidate;
                }
            }
        }

        return null;
    }

    /// <summary>The console's files; hashed assets are cached for a year, everything else is revalidated.</summary>
    public static void UseConsoleFiles(this WebApplication app)
    {
        var root = FindRoot(app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value, app.Environment);
        if (root is null)
        {
            return;
        }

        app.UseStaticFiles(new StaticFileOptions
        {
            FileProvider = new PhysicalFileProvider(root),
            OnPrepareResponse = ctx => ctx.Context.Response.Headers.CacheControl =
                ctx.Context.Request.Path.StartsWithSegments("/assets") ? "public, max-age=31536000, immutable" : "no-cache",
        });
    }

    /// <summary>The SPA fallback: GET/HEAD of any unmatched path outside the reserved prefixes answers index.html.</summary>
    public static void MapConsoleFallback(this WebApplication app)
    {
        var root = FindRoot(app.Services.GetRequiredService<IOptions<ConsoleOptions>>().Value, app.Environment);
        app.Logger.LogInformation("SOC console: {Root}", root ?? "not built (run `make console`)");
        var index = root is null ? null : Path.Combine(root, "index.html");
        app.MapFallback(async context =>
        {
            var request = context.Request;
            if (IsReserved(request.Path))
            {
                context.Response.StatusCode = StatusCodes.Status404NotFound;
                return;
            }

            context.Response.Headers.CacheControl = "no-cache";
            if (index is null)
            {
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(NotBuiltPage, Encoding.UTF8, context.RequestAborted);
                return;
            }

            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.SendFileAsync(index, context.RequestAborted);
        }).WithMetadata(new HttpMethodMetadata([HttpMethods.Get, HttpMethods.Head])) // other methods keep their 405
          .AllowAnonymous() // the page and its files are public; the API behind them asks for tokens
          .ExcludeFromDescription();
    }
}
