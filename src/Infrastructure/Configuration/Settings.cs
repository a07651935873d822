using System.ComponentModel.DataAnnotations;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace ThreatPlatform.Infrastructure.Configuration;

/// <summary>
/// How an options class is checked: its data annotations and, for rules across fields, its
/// <see cref="IValidatableObject"/>; every failure names the key as an operator sets it (<c>Section__Key</c>). The same
/// check serves <c>ValidateOnStart</c> and the few values read while services are still being registered
/// (<see cref="Read{T}"/>), so a value can never be accepted by one and refused by the other.
/// </summary>
public static class Settings
{
    /// <summary>Checks the options bound from <paramref name="section"/> (at start, with <c>ValidateOnStart</c>).</summary>
    public static OptionsBuilder<T> ValidateSettings<T>(this OptionsBuilder<T> builder, string section)
        where T : class
    {
        builder.Services.AddSingleton<IValidateOptions<T>>(new SettingsValidation<T>(builder.Name, section));
        return builder;
    }

    /// <summary>
    /// The options as binding <paramref name="section"/> makes them, checked as <see cref="ValidateSettings{T}"/> does,
    /// for a decision taken before the container exists (whether to register a service at all). An invalid value stops
    /// start-up here with the same message.
    /// </summary>
    public static T Read<T>(IConfiguration configuration, string section)
        where T : class, new()
    {
        var options = configuration.GetSection(section).Get<T>() ?? new T();
        var result = new SettingsValidation<T>(Options.DefaultName, section).Validate(Options.DefaultName, options);
        return result.Failed ? throw new OptionsValidationException(Options.DefaultName, typeof(T), result.Failures) : options;
    }

    private sealed class SettingsValidation<T>(string? name, string section) : IValidateOptions<T>
        where T : class
    {
        /// <summary>A root-level setting (section empty) is named by its key alone.</summary>
        private readonly string _prefix = section.Length == 0 ? string.Empty : section.Replace(":", "__", StringComparison.Ordinal) + "__";

        public ValidateOptionsResult Validate(string? optionsName, T options)
        {
            if (name is not null && !string.Equals(name, optionsName, StringComparison.Ordinal))
            {
                return ValidateOptionsResult.Skip;
            }

            var results = new List<ValidationResult>();
            if (Validator.TryValidateObject(options, new ValidationContext(options), results, validateAllProperties: true))
            {
                return ValidateOptionsResult.Success;
            }

            return ValidateOptionsResult.Fail(results.Select(Describe));
        }

        /// <summary>A message that already names its key (written for an operator) stays as it is; others get the key in front.</summary>
        private string Describe(ValidationResult result)
        {
            var message = result.ErrorMessage ?? "is invalid.";
            var keys = result.MemberNames.Select(member => _prefix + member).ToList();
            return keys.Count == 0 || keys.Any(key => message.Contains(key, StringComparison.Ordinal))
                ? message
                : $"{string.Join(", ", keys)}: {message}";
        }
    }
}
