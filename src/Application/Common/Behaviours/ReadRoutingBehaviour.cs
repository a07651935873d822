using Mediator;
using ThreatPlatform.Application.Common.Interfaces;

namespace ThreatPlatform.Application.Common.Behaviours;

/// <summary>
/// A query's reads are routed before it runs (<see cref="IReadRouting.ChooseAsync"/>); after a signed-in person's
/// command succeeds, their write is remembered so their next queries read it. Sensors (API keys) only ingest and never
/// read, so their commands cost nothing here.
/// </summary>
public sealed class ReadRoutingBehaviour<TMessage, TResponse>(ICurrentUser currentUser, IReadRouting routing)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    public async ValueTask<TResponse> Handle(
        TMessage message,
        MessageHandlerDelegate<TMessage, TResponse> next,
        CancellationToken cancellationToken)
    {
        // Only a signed-in caller's queries read the routed view (an anonymous one, e.g. the check of a token while it is
        // being authenticated, reads the primary through the command context).
        if (message is IBaseQuery && currentUser.Id is not null)
        {
            await routing.ChooseAsync(cancellationToken);
            return await next(message, cancellationToken);
        }

        var response = await next(message, cancellationToken);
        if (message is IBaseCommand && currentUser.Id is { } userId)
        {
            await routing.WroteAsync(userId, cancellationToken);
        }

        return response;
    }
}
