using Microsoft.Extensions.Options;
using Serilog;
using ThreatPlatform.Infrastructure.Configuration;
using ThreatPlatform.Infrastructure.Persistence;
using ThreatPlatform.WebApi.Hosting;

// The static logger only reports start-up failures; the host gets its own (several hosts share a test process).
Log.Logger = new LoggerConfiguration().WriteTo.Console().CreateLogger();
try
{
    var builder = WebApplication.CreateBuilder(args);
    builder.Host.UseSerilog((context, services, logger) => logger
        .ReadFrom.Configuration(context.Configuration)
        .ReadFrom.Services(services)
        .Enrich.FromLogContext()
        .WriteToConsole(context.Configuration), preserveStaticLogger: true);

    if (Commands.IsCommand(args) && Settings.Read<DatabaseOptions>(builder.Configuration, DatabaseOptions.Section).AcquireTimeoutMilliseconds < 15_000)
    {
        // One-off commands answer no requests: they wait for a connection as long as Npgsql's default, not the API's 0.8 s.
        builder.Configuration[$"{DatabaseOptions.Section}:{nameof(DatabaseOptions.AcquireTimeoutMilliseconds)}"] = "15000";
    }

    builder.AddThreatPlatform();

    var app = builder.Build();
    if (Commands.IsCommand(args))
    {
        return await Commands.RunAsync(app, args);
    }

    // Every setting is checked before the first migration or request, all failures named at once.
    app.Services.GetRequiredService<IStartupValidator>().Validate();
    if (app.Services.GetRequiredService<IOptions<DatabaseOptions>>().Value.MigrateOnStartup)
    {
        await Commands.MigrateAsync(app.Services);
    }

    app.UseThreatPlatform();
    await app.RunAsync();
    return 0;
}
catch (OptionsValidationException ex)
{
    Log.Fatal("Configuration is invalid: {Failures}", string.Join(" ", ex.Failures));
    return 1;
}
catch (AggregateException ex) when (ex.InnerExceptions.All(e => e is OptionsValidationException))
{
    // Several settings invalid at once (ValidateOnStart reports them together): name every one.
    Log.Fatal("Configuration is invalid: {Failures}", string.Join(" ", ex.InnerExceptions.SelectMany(e => ((OptionsValidationException)e).Failures)));
    return 1;
}
catch (InvalidOperationException ex) when (ex.Source?.StartsWith("ThreatPlatform", StringComparison.Ordinal) == true)
{
    Log.Fatal("Configuration is invalid: {Message}", ex.Message);
    return 1;
}
catch (Exception ex) when (ex is not HostAbortedException)
{
    Log.Fatal(ex, "ThreatPlatform stopped unexpectedly");
    return 1;
}
finally
{
    await Log.CloseAndFlushAsync();
}

/// <summary>Entry point; public so the integration tests' WebApplicationFactory can find it.</summary>
public partial class Program;
