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
        // Every request passes here (ingest thousands of times a second): nothing is allocated unless something fails.
        List<ValidationFailure>? unstorable = null;
        foreach (var property in TextProperties)
        {
            if (property.GetValue(message) is string text && !StorableText.IsStorable(text))
            {
                (unstorable ??= []).Add(new ValidationFailure(property.Name, StorableText.Message(Naming.ToSnakeCase(property.Name))));
            }
        }

        if (unstorable is not null)
        {
            throw new RequestValidationException(unstorable);
        }

        if (_validators.Length == 0)
        {
            return await next(message, cancellationToken);
        }

        if (_validators.Length == 1)
        {
            var result = await _validators[0].ValidateAsync(message, cancellationToken);
            return result.IsValid ? await next(message, cancellationToken) : throw new RequestValidationException(result.Errors);
        }

        var context = new ValidationContext<TMessage>(message);
        List<ValidationFailure>? failures = null;
        foreach (var validator in _validators)
        {
            var result = await validator.ValidateAsync(context, cancellationToken);
            if (!result.IsValid)
            {
                (failures ??= []).AddRange(result.Errors);
            }
        }

        return failures is null ? await next(message, cancellationToken) : throw new RequestValidationException(failures);
    }
}
