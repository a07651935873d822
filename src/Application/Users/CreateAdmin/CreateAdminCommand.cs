using FluentValidation;
using Mediator;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Audit;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Users.CreateAdmin;

/// <summary>The `create-admin` command line: an ADMIN account, under the same rules as self-registration.</summary>
public sealed record CreateAdminCommand(string? Username, string? Email, string? Password) : ICommand<UserDto>, INewUserInput
{
    public override string ToString() => $"CreateAdminCommand {{ Username = {Username} }}";
}

public sealed class CreateAdminCommandHandler(NewUsers users) : ICommandHandler<CreateAdminCommand, UserDto>
{
    /// <summary>The actor of the audit entry: the command line, and the operating-system account that ran it.</summary>
    public static string Actor => $"cli:{Environment.UserName}";

    public async ValueTask<UserDto> Handle(CreateAdminCommand command, CancellationToken cancellationToken)
    {
        var user = await users.CreateAsync(command, UserRole.Admin, AuditAction.AdminCreated, "create-admin command", cancellationToken, actorName: Actor);
        return user.ToDto();
    }
}

public sealed class CreateAdminCommandValidator : AbstractValidator<CreateAdminCommand>
{
    public CreateAdminCommandValidator() => this.NewUserRules();
}
