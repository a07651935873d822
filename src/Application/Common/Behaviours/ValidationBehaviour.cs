using System.Reflection;
using FluentValidation;
using FluentValidation.Results;
using Mediator;
using ThreatPlatform.Application.Common.Exceptions;

namespace ThreatPlatform.Application.Common.Behaviours;

/// <summary>
/// Runs every FluentValidation validator of the message before its handler; failures become one 400. Before them, every
/// text the message carries must be storable (<see cref="StorableText"/>): a NUL or a lone surrogate in, say, a login's
/// username would otherwise reach PostgreSQL, which refuses it with an error (a 500), not a 400 naming the field.
/// </summary>
public sealed class ValidationBehaviour<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators)
    : IPipelineBehavior<TMessage, TResponse>
    where TMessage : notnull, IMessage
{
    private static readonly PropertyInfo[] TextProperties = [.. typeof(TMessage)
        .GetProperties(BindingFlags.Instance | BindingFlags.Public)
        .Where(p => p.PropertyType == typeof(string) && p.CanRead && p.GetIndexParameters().Length == 0)];

    private readonly IValidator<TMessage>[] _validators = validators.ToArray();

    public async ValueTask<TResponse> Handle(
        TMessage message,
        MessageHandlerDelegate<TMessage, TResponse> next,
        CancellationToken cancellationToken)
    {
        var unstorable = TextProperties
            .Where(p => p.GetValue(message) is string text && !StorableText.IsStorable(text))
            .Select(p => new ValidationFailure(p.Name, StorableText.Message(Naming.ToSnakeCase(p.Name))))
            .ToList();
        if (unstorable.Count > 0)
        {
            throw new RequestValidationException(unstorable);
        }

        if (_validators.Length == 0)
        {
            return await next(message, cancellationToken);
        }

        var context = new ValidationContext<TMessage>(message);
        var failures = new List<FluentValidation.Results.ValidationFailure>();
        foreach (var validator in _validators)
        {
            var result = await validator.ValidateAsync(context, cancellationToken);
            failures.AddRange(result.Errors);
        }

        if (failures.Count > 0)
        {
            throw new RequestValidationException(failures);
        }

        return await next(message, cancellationToken);
    }
}
