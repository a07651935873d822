using System.Text.RegularExpressions;
using FluentValidation;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Users.Common;

/// <summary>The input a new account needs, shared by self-registration and the create-admin command.</summary>
public interface INewUserInput
{
    string? Username { get; }
    string? Email { get; }
    string? Password { get; }
}

/// <summary>Username, email and password rules of a new account (the original platform's, i.e. Django's).</summary>
public static partial class UserRules
{
    public static IRuleBuilderOptions<T, string?> ValidUsername<T>(this IRuleBuilder<T, string?> rule) => rule
        .Must(u => !string.IsNullOrWhiteSpace(u)).WithMessage("username is required.")
        .MaximumLength(User.UsernameMaxLength).WithMessage($"username must be at most {User.UsernameMaxLength} characters.")
        .Must(u => string.IsNullOrWhiteSpace(u) || UsernamePattern().IsMatch(u))
        .WithMessage("Enter a valid username. This value may contain only letters, numbers, and @/./+/-/_ characters.");

    public static IRuleBuilderOptions<T, string?> ValidEmail<T>(this IRuleBuilder<T, string?> rule) => rule
        .Must(e => !string.IsNullOrWhiteSpace(e)).WithMessage("email is required.")
        .MaximumLength(User.EmailMaxLength).WithMessage($"email must be at most {User.EmailMaxLength} characters.")
        .Must(e => string.IsNullOrWhiteSpace(e) || IsEmail(e)).WithMessage("Enter a valid email address.");

    /// <summary>Username, email and password of a new account; every broken password rule is reported under <c>password</c>.</summary>
    public static void NewUserRules<T>(this AbstractValidator<T> validator)
        where T : INewUserInput
    {
        validator.RuleFor(c => c.Username).ValidUsername();
        validator.RuleFor(c => c.Email).ValidEmail();
        validator.RuleFor(c => c.Password).Custom((password, context) =>
        {
            var input = context.InstanceToValidate;
            foreach (var problem in PasswordPolicy.Check(password, input.Username, input.Email))
            {
                context.AddFailure(problem);
            }
        });
    }

    /// <summary>One address, no display name or comments, and a dotted domain (as Django's EmailValidator wants).</summary>
    internal static bool IsEmail(string email)
    {
        var value = email.Trim();
        return EmailPattern().IsMatch(value)
            && System.Net.Mail.MailAddress.TryCreate(value, out var address)
            && string.Equals(address.Address, value, StringComparison.Ordinal);
    }

    // Django's username validator: ^[\w.@+-]+\Z
    [GeneratedRegex(@"^[\w.@+-]+\z", RegexOptions.CultureInvariant)]
    private static partial Regex UsernamePattern();

    [GeneratedRegex(@"^[^@\s""(),:;<>\[\]\\]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}\z", RegexOptions.CultureInvariant)]
    private static partial Regex EmailPattern();
}
