using Microsoft.AspNetCore.Cors.Infrastructure;
using Microsoft.Extensions.Options;
using ThreatPlatform.Infrastructure.Configuration;

namespace ThreatPlatform.WebApi.Common;

/// <summary>The browser origins allowed to call the API from another site (section <c>Cors</c>); none by default.</summary>
public sealed class CrossOriginOptions
{
    public const string Section = "Cors";

    public string[] Origins { get; set; } = [];
}

/// <summary>CORS's default policy: the configured origins, any header and method, Retry-After readable by their scripts.</summary>
internal static class CrossOrigin
{
    public static IServiceCollection AddCrossOrigin(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<CrossOriginOptions>()
            .Bind(configuration.GetSection(CrossOriginOptions.Section))
            .ValidateSettings(CrossOriginOptions.Section)
            .ValidateOnStart();
        services.AddCors();
        services.AddOptions<CorsOptions>().Configure<IOptions<CrossOriginOptions>>((cors, configured) =>
        {
            var origins = configured.Value.Origins.Where(o => !string.IsNullOrWhiteSpace(o)).ToArray();
            cors.AddDefaultPolicy(policy =>
            {
                if (origins.Length > 0)
                {
                    policy.WithOrigins(origins).AllowAnyHeader().AllowAnyMethod().WithExposedHeaders("Retry-After");
                }
            });
        });
        return services;
    }
}
