using FluentValidation.Results;

namespace ThreatPlatform.Application.Common.Exceptions;

/// <summary>Input that breaks a rule; carries every failure keyed by the snake_case field or parameter name (400).</summary>
public sealed class RequestValidationException : Exception
{
    public RequestValidationException(IReadOnlyDictionary<string, string[]> errors)
        : base("One or more fields are invalid.")
    {
        Errors = errors;
    }

    public RequestValidationException(IEnumerable<ValidationFailure> failures)
        : this(ByField(failures))
    {
    }

    public RequestValidationException(string field, string message)
        : this(new Dictionary<string, string[]> { [field] = [message] })
    {
    }

    public IReadOnlyDictionary<string, string[]> Errors { get; }

    /// <summary>Validator failures keyed by the snake_case field they name, each message once.</summary>
    public static IReadOnlyDictionary<string, string[]> ByField(IEnumerable<ValidationFailure> failures) => failures
        .GroupBy(f => Naming.ToSnakeCase(f.PropertyName), StringComparer.Ordinal)
        .ToDictionary(g => g.Key, g => g.Select(f => f.ErrorMessage).Distinct().ToArray(), StringComparer.Ordinal);
}
