using System.Text;
using System.Threading.RateLimiting;
using Mediator;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.Tokens;
using NJsonSchema.Generation;
using ThreatPlatform.Application;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Behaviours;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.Infrastructure;
using ThreatPlatform.Infrastructure.Configuration;
using ThreatPlatform.Infrastructure.Identity;
using ThreatPlatform.WebApi.Auth;
using ThreatPlatform.WebApi.Common;
using ThreatPlatform.WebApi.Limits;
using ThreatPlatform.WebApi.OpenApi;
using ThreatPlatform.WebApi.Operations;
using ThreatPlatform.WebApi.Syslog;
using ThreatPlatform.WebApi.WebConsole;

namespace ThreatPlatform.WebApi.Hosting;

internal static class ServiceRegistration
{
    /// <summary>Default body limit for every endpoint; batch ingest raises its own.</summary>
    public const long DefaultMaxBodyBytes = 1024 * 1024;

    public static void AddThreatPlatform(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var configuration = builder.Configuration;

        builder.WebHost.ConfigureKestrel(kestrel =>
        {
            kestrel.AddServerHeader = false;
            kestrel.Limits.MaxRequestBodySize = DefaultMaxBodyBytes;
            kestrel.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
        });
        services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = DefaultMaxBodyBytes);

        services.AddApplication();
        services.AddInfrastructure(configuration);
        services.AddMediator((MediatorOptions options) =>
        {
            options.ServiceLifetime = ServiceLifetime.Scoped;
            options.PipelineBehaviors = [typeof(LoggingBehaviour<,>), typeof(ReadRoutingBehaviour<,>), typeof(ValidationBehaviour<,>)];
        });

        services.AddHttpContextAccessor();
        services.AddScoped<ICurrentUser, CurrentUser>();
        services.AddSyslog(configuration);
        services.AddScoped<IAlertMetrics, PrometheusAlertMetrics>();
        services.AddScoped<IAuditContext, HttpAuditContext>();
        services.AddAllowedHosts(configuration);
        services.AddScoped<IIfMatch, IfMatchHeader>();
        services.ConfigureHttpJsonOptions(o => JsonDefaults.Configure(o.SerializerOptions));
        services.Configure<RouteHandlerOptions>(o => o.ThrowOnBadRequest = true);

        services.AddProblemDetails(o => o.CustomizeProblemDetails = ctx =>
        {
            ctx.ProblemDetails.Instance ??= ctx.HttpContext.Request.Path;
            ctx.ProblemDetails.Extensions["trace_id"] = System.Diagnostics.Activity.Current?.Id ?? ctx.HttpContext.TraceIdentifier;
            if (ctx.ProblemDetails.Status is { } status && ctx.ProblemDetails.Type is null)
            {
                ctx.ProblemDetails.Type = $"https://httpstatuses.io/{status}";
            }
        });
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonFallbackWriter>();
        services.AddExceptionHandler<ProblemDetailsExceptionHandler>();

        AddAuth(services, configuration);
        services.AddCrossOrigin(configuration);
        services.AddConsoleFiles(configuration);
        AddOpenApi(services);
    }

    private static void AddAuth(IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<JwtOptions>()
            .Bind(configuration.GetSection(JwtOptions.Section))
            .ValidateSettings(JwtOptions.Section)
            .ValidateOnStart();

        // Bearer tokens for people, API keys for sensors: the default scheme forwards to the one the request presents.
        services.AddAuthentication(ApiKeyAuthentication.KeyOrBearer)
            .AddPolicyScheme(ApiKeyAuthentication.KeyOrBearer, "Bearer token or API key", o => o.ForwardDefaultSelector = ApiKeyAuthentication.SelectScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthentication.Scheme, null)
            .AddJwtBearer();
        services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<IOptions<JwtOptions>>((bearer, jwtOptions) =>
            {
                var jwt = jwtOptions.Value;
                bearer.MapInboundClaims = false;
                bearer.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidateIssuer = true,
                    ValidIssuer = jwt.Issuer,
                    ValidateAudience = true,
                    ValidAudience = jwt.Audience,
                    ValidateLifetime = true,
                    RequireExpirationTime = true,
                    ValidateIssuerSigningKey = true,
                    IssuerSigningKey = new SymmetricSecurityKey(Encoding.UTF8.GetBytes(jwt.SigningKey)),
                    ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
                    ClockSkew = TimeSpan.FromSeconds(jwt.ClockSkewSeconds),
                    NameClaimType = "username",
                    RoleClaimType = "role",
                };
                bearer.Events = new JwtBearerEvents
                {
                    OnMessageReceived = StreamAccessToken.ReadFromQueryOnTheStream,
                    OnTokenValidated = AuthHosting.CheckUserIsStillActive,
                };
            });
        services.AddAuthRateLimiting(configuration);
        services.AddRequestRateLimiting(configuration);
        services.AddBatchConcurrency(configuration);
        services.AddTrustedProxies(configuration);
        services.AddOperations(configuration);
        services.AddSingleton<Serilog.Core.ILogEventEnricher, StreamAccessToken.Redaction>();
        services.AddSingleton<Streaming.StreamSlots>();
        services.AddSingleton<Serilog.Core.ILogEventEnricher, ControlCharacterEscaping>();

        // Closed unless marked: an endpoint that names no policy and no AllowAnonymous still needs a signed-in person,
        // and so does a bare RequireAuthorization(): a sensor's API key reaches only the endpoints that name it (Ingest).
        var person = new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
            .RequireRole(UserRole.Analyst.ToWire(), UserRole.Admin.ToWire()).Build();
        // Routing's own refusals (405 for a method, 415 for a content type an endpoint does not take) are endpoints with
        // no policy: a sensor posting the wrong content type to its ingest endpoint must hear 415, not 403.
        var personOrRoutingRefusal = new AuthorizationPolicyBuilder().RequireAuthenticatedUser()
            .RequireAssertion(context => context.User.IsInRole(UserRole.Analyst.ToWire()) || context.User.IsInRole(UserRole.Admin.ToWire())
                                         || RoutingRefusal.Is(context.Resource as HttpContext))
            .Build();
        services.AddAuthorizationBuilder()
            .SetFallbackPolicy(personOrRoutingRefusal)
            .SetDefaultPolicy(person)
            .AddPolicy(Policies.Analyst, p => p.RequireAuthenticatedUser().RequireRole(UserRole.Analyst.ToWire(), UserRole.Admin.ToWire()))
            .AddPolicy(Policies.Admin, p => p.RequireAuthenticatedUser().RequireRole(UserRole.Admin.ToWire()))
            .AddPolicy(Policies.Ingest, p => p.RequireAuthenticatedUser()
                .RequireRole(UserRole.Analyst.ToWire(), UserRole.Admin.ToWire(), ApiKeyAuthentication.SensorRole));
    }

    private static void AddOpenApi(IServiceCollection services)
    {
        services.AddEndpointsApiExplorer();
        services.AddOpenApiDocument((settings, sp) =>
        {
            settings.DocumentName = "v1";
            settings.Title = "ThreatPlatform API";
            settings.Version = "v1";
            settings.Description = "Threat monitoring and alert management for security operations centres.";
            var json = sp.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            settings.SchemaSettings = new SystemTextJsonSchemaGeneratorSettings
            {
                SchemaType = NJsonSchema.SchemaType.OpenApi3,
                SerializerOptions = json,
                GenerateEnumMappingDescription = false,
                SchemaProcessors = { new RequireNonNullableProperties(), new ApplyItemLimits() },
            };
            settings.OperationProcessors.Add(new OperationConventions(
                sp.GetRequiredService<IOptions<AuthorizationOptions>>().Value,
                Enum.GetValues<UserRole>().Select(r => r.ToWire()).ToArray()));
            settings.DocumentProcessors.Add(new DocumentConventions());
        });
    }
}

/// <summary>The endpoints routing itself answers with when a path matches but the method or content type does not.</summary>
internal static class RoutingRefusal
{
    // The display names ASP.NET Core's HttpMethodMatcherPolicy and AcceptsMatcherPolicy give the endpoints they make.
    private static readonly string[] Names = ["405 HTTP Method Not Supported", "415 HTTP Unsupported Media Type"];

    public static bool Is(HttpContext? http) =>
        http?.GetEndpoint() is { DisplayName: { } name } && Names.Contains(name, StringComparer.Ordinal);
}
