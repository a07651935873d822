using Mediator;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.Application.Common.Behaviours;

/// <summary>
/// After a signed-in person's command succeeds, tells <see cref="IReadYourWrites"/> so their following queries read
/// what it wrote. Sensors (API keys) only ingest and never read, so their commands cost nothing here.
/// </summary>
public sealed class ReadYourWritesBehaviour<TMessage, TResponse>(ICurrentUser currentUser, IReadYourWrites readYourWrites)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(
        TMessage message,
        MessageHandlerDelegate<TMessage, TResponse> next,
        CancellationToken cancellationToken)
    {
        var response = await next(message, cancellationToken);
        if (message is IBaseCommand && currentUser.Id is { } userId)
        {
            await readYourWrites.WroteAsync(userId, cancellationToken);
        }

        return response;
    }
}
