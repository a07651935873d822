using System.Diagnostics;
using Mediator;
using Microsoft.Extensions.Logging;

namespace ThreatPlatform.Application.Common.Behaviours;

/// <summary>Logs each use case's name and duration (never its payload: it may hold passwords or tokens).</summary>
public sealed class LoggingBehaviour<TMessage, TResponse>(ILogger<LoggingBehaviour<TMessage, TResponse>> logger)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(
        TMessage message,
        MessageHandlerDelegate<TMessage, TResponse> next,
        CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        try
        {
            return await next(message, cancellationToken);
        }
        finally
        {
            if (logger.IsEnabled(LogLevel.Debug))
            {
                logger.LogDebug("Handled {Message} in {ElapsedMs:0.0} ms", typeof(TMessage).Name, Stopwatch.GetElapsedTime(started).TotalMilliseconds);
            }
        }
    }
}
