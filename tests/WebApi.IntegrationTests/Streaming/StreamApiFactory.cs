using System.Collections.Concurrent;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Serilog.Core;
using Serilog.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Streaming;

/// <summary>The API with a one-second stream heartbeat, so tests see keep-alives without waiting 15 s.</summary>
public sealed class StreamApiFactory : ApiFactory
{
    public StreamApiFactory()
    {
    }

    private StreamApiFactory(string connectionString)
        : base(connectionString)
    {
    }

    /// <summary>Another API host on this one's database, as a second replica; dispose it in the test.</summary>
    public StreamApiFactory SecondHost() => new(ConnectionString);

    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.UseSetting("AlertStream:HeartbeatSeconds", "1");
}

/// <summary>The API logging everything (ASP.NET Core's own request lines included) into <see cref="Logged"/>.</summary>
public sealed class VerboseLogApiFactory : ApiFactory
{
    public ConcurrentQueue<LogEvent> Logged { get; } = new();

    protected override void ConfigureTestServices(IWebHostBuilder builder)
    {
        builder.UseSetting("Serilog:MinimumLevel:Default", "Verbose");
        builder.UseSetting("Serilog:MinimumLevel:Override:Microsoft.AspNetCore", "Verbose");
        builder.UseSetting("Serilog:WriteTo:0:Name", "Console");
        builder.UseSetting("Serilog:WriteTo:0:Args:restrictedToMinimumLevel", "Warning");
        builder.UseSetting("AlertStream:HeartbeatSeconds", "1");
        builder.ConfigureServices(services => services.AddSingleton<ILogEventSink>(new Capture(Logged)));
    }

    private sealed class Capture(ConcurrentQueue<LogEvent> logged) : ILogEventSink
    {
        public void Emit(LogEvent logEvent) => logged.Enqueue(logEvent);
    }
}
