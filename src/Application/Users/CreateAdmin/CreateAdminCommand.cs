using FluentValidation;
using Mediator;
using ThreatPlatform.Application.Users.Common;
using ThreatPlatform.Domain.Users;

namespace ThreatPlatform.Application.Users.CreateAdmin;

/// <summary>The `create-admin` command line: an ADMIN account, under the same rules as self-registration.</summary>
public sealed record CreateAdminCommand(string? Username, string? Email, string? Password) : ICommand<UserDto>, INewUserInput
{
    public override string ToString() => $"CreateAdminCommand {{ Username = {Username} }}";
}

public sealed class CreateAdminCommandHandler(NewUsers users) : ICommandHandler<CreateAdminCommand, UserDto>
{
    public async ValueTask<UserDto> Handle(CreateAdminCommand command, CancellationToken cancellationToken)
    {
        var user = await users.CreateAsync(command, UserRole.Admin, cancellationToken);
        return user.ToDto();
    }
}

public sealed class CreateAdminCommandValidator : AbstractValidator<CreateAdminCommand>
{
    public CreateAdminCommandValidator() => this.NewUserRules();
}
