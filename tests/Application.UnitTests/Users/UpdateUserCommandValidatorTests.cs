using ThreatPlatform.Application.Users.UpdateUser;

namespace ThreatPlatform.Application.UnitTests.Users;

public sealed class UpdateUserCommandValidatorTests
{
    private readonly UpdateUserCommandValidator _validator = new();

    [Theory]
    [InlineData("ADMIN")]
    [InlineData("analyst")]
    [InlineData(null)]
    public void Known_roles_in_any_case_or_none_are_accepted(string? role) =>
        _validator.Validate(new UpdateUserCommand(1, role, null)).IsValid.Should().BeTrue();

    [Theory]
    [InlineData("SUPERUSER")]
    [InlineData("")]
    public void Unknown_roles_are_refused_naming_role(string role) =>
        _validator.Validate(new UpdateUserCommand(1, role, null)).Errors.Should().ContainSingle()
            .Which.ErrorMessage.Should().Be("role must be one of ANALYST, ADMIN.");
}
