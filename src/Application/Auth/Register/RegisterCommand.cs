using FluentValidation;
using Mediator;
using ThreatPlatform.Application.Auth.Common;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Auth.Register;

/// <summary>
/// Self-registration. The account is always an ANALYST: the record has no role, so a <c>role</c> or <c>is_staff</c>
/// in the body has nowhere to bind (no mass assignment).
/// </summary>
public sealed record RegisterCommand(string? Username, string? Email, string? Password) : ICommand<RegisteredUserDto>, INewUserInput
{
    public override string ToString() => $"RegisterCommand {{ Username = {Username} }}";
}

/// <summary>Creates an ANALYST as the registration policy allows: active (open), awaiting approval, or not at all (closed).</summary>
public sealed class RegisterCommandHandler(NewUsers users, AuthOptions options) : ICommandHandler<RegisterCommand, RegisteredUserDto>
{
    public async ValueTask<RegisteredUserDto> Handle(RegisterCommand command, CancellationToken cancellationToken)
    {
        if (options.Registration == RegistrationPolicy.Closed)
        {
            throw new RegistrationClosed();
        }

        var needsApproval = options.Registration == RegistrationPolicy.Approval;
        // The caller is anonymous: the entry names them by the username they chose.
        var user = await users.CreateAsync(
            command,
            UserRole.Analyst,
            AuditAction.UserRegistered,
            needsApproval ? "self-registration, awaiting approval" : "self-registration",
            cancellationToken,
            needsApproval,
            actorName: command.Username);
        return user.ToRegisteredDto();
    }
}

public sealed class RegisterCommandValidator : AbstractValidator<RegisterCommand>
{
    public RegisterCommandValidator() => this.NewUserRules();
}
