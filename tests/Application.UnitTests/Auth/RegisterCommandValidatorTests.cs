using ThreatPlatform.Application.Auth.Register;
using ThreatPlatform.Application.Users.CreateAdmin;

namespace ThreatPlatform.Application.UnitTests.Auth;

public sealed class RegisterCommandValidatorTests
{
    private const string Password = "correct horse battery staple";
    private readonly RegisterCommandValidator _validator = new();

    [Theory]
    [InlineData("alice")]
    [InlineData("alice.smith+soc@corp-1_x")]
    [InlineData("Zoë")]
    public void Django_usernames_are_accepted(string username) =>
        _validator.Validate(new RegisterCommand(username, "alice@example.org", Password)).IsValid.Should().BeTrue();

    [Theory]
    [InlineData("alice smith")]
    [InlineData("alice!")]
    [InlineData("ali/ce")]
    [InlineData("alice\n")]
    [InlineData("")]
    public void Usernames_outside_django_rules_are_refused(string username) =>
        Fields(new RegisterCommand(username, "alice@example.org", Password)).Should().Contain("Username");

    [Fact]
    public void A_username_of_151_characters_is_refused() =>
        Fields(new RegisterCommand(new string('a', 151), "alice@example.org", Password)).Should().Contain("Username");

    [Theory]
    [InlineData("alice@example.org")]
    [InlineData("first.last+tag@mail.example.co.uk")]
    public void Valid_emails_are_accepted(string email) =>
        _validator.Validate(new RegisterCommand("alice", email, Password)).IsValid.Should().BeTrue();

    [Theory]
    [InlineData("alice")]
    [InlineData("alice@")]
    [InlineData("@example.org")]
    [InlineData("alice@example")]
    [InlineData("alice smith@example.org")]
    [InlineData("Alice <alice@example.org>")]
    [InlineData("alice@exa_mple.org")]
    public void Invalid_emails_are_refused(string email) =>
        Fields(new RegisterCommand("alice", email, Password)).Should().Equal("Email");

    [Fact]
    public void An_email_over_254_characters_is_refused() =>
        Fields(new RegisterCommand("alice", new string('a', 60) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 60), 4)) + ".org", Password))
            .Should().Equal("Email");

    [Fact]
    public void Create_admin_applies_the_same_rules()
    {
        var result = new CreateAdminCommandValidator().Validate(new CreateAdminCommand("bad name", "nope", "123"));

        result.Errors.Select(e => e.PropertyName).Distinct().Should().BeEquivalentTo("Username", "Email", "Password");
    }

    private string[] Fields(RegisterCommand command) =>
        _validator.Validate(command).Errors.Select(e => e.PropertyName).Distinct().ToArray();
}
