using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;

namespace ThreatPlatform.WebApi.IntegrationTests.Support;

/// <summary>A Serilog sink that keeps every event the host's logger writes, as its other sinks receive them.</summary>
public sealed class LogCapture : ILogEventSink
{
    public ConcurrentQueue<LogEvent> Logged { get; } = new();

    public void Emit(LogEvent logEvent) => Logged.Enqueue(logEvent);

    /// <summary>Adds this sink to the host (the API reads sinks from its services).</summary>
    public void AddTo(IWebHostBuilder builder) => builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(this));
}

/// <summary>The API logging at Information into <see cref="Logged"/> (the request log, audit events, everything).</summary>
public sealed class InformationLogApiFactory : ApiFactory
{
    private readonly LogCapture _capture = new();

    public ConcurrentQueue<LogEvent> Logged => _capture.Logged;

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Serilog:MinimumLevel:Default", "Information");
        _capture.AddTo(builder);
    }
}
