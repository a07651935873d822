using System.Net;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

public sealed class AssignmentTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Analyst_takes_an_unassigned_alert_for_themselves()
    {
        var (analyst, me) = await factory.SignInAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();

        var response = await analyst.AssignAsync(alertId, me.Id);

        response.StatusCode.Should().Be(HttpStatusCode.OK, await response.Content.ReadAsStringAsync());
        var alert = await EventsApi.JsonAsync(response);
        alert.GetProperty("assignee").GetProperty("id").GetInt64().Should().Be(me.Id);
        alert.GetProperty("assignee").GetProperty("username").GetString().Should().Be(me.Username);
    }

    [Fact]
    public async Task Analyst_cannot_assign_an_alert_to_someone_else()
    {
        var (analyst, _) = await factory.SignInAsync(UserRole.Analyst);
        var other = await factory.SeedUserAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();

        await (await analyst.AssignAsync(alertId, other.Id)).ShouldBeProblemAsync(403);

        (await analyst.AlertAsync(alertId)).AssigneeId().Should().BeNull();
    }

    [Fact]
    public async Task Analyst_cannot_take_an_alert_assigned_to_someone_else()
    {
        var (first, firstUser) = await factory.SignInAsync(UserRole.Analyst);
        var (second, secondUser) = await factory.SignInAsync(UserRole.Analyst);
        var alertId = await first.RaiseAlertAsync();
        (await first.AssignAsync(alertId, firstUser.Id)).EnsureSuccessStatusCode();

        await (await second.AssignAsync(alertId, secondUser.Id)).ShouldBeProblemAsync(403);
        await (await second.AssignAsync(alertId, null)).ShouldBeProblemAsync(403);

        (await first.AlertAsync(alertId)).AssigneeId().Should().Be(firstUser.Id);
    }

    [Fact]
    public async Task Analyst_unassigns_an_alert_assigned_to_them()
    {
        var (analyst, me) = await factory.SignInAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();
        (await analyst.AssignAsync(alertId, me.Id)).EnsureSuccessStatusCode();

        var response = await analyst.AssignAsync(alertId, null);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await EventsApi.JsonAsync(response)).AssigneeId().Should().BeNull();
    }

    [Fact]
    public async Task Admin_assigns_an_alert_to_anyone_and_reassigns_it()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var first = await factory.SeedUserAsync(UserRole.Analyst);
        var second = await factory.SeedUserAsync(UserRole.Analyst);
        var alertId = await admin.RaiseAlertAsync();

        (await admin.AssignAsync(alertId, first.Id)).EnsureSuccessStatusCode();
        var response = await admin.AssignAsync(alertId, second.Id);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await EventsApi.JsonAsync(response)).AssigneeId().Should().Be(second.Id);
    }

    [Fact]
    public async Task Assigning_an_unknown_user_is_a_400_naming_assignee()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var alertId = await admin.RaiseAlertAsync();

        var problem = await (await admin.AssignAsync(alertId, 987_654_321)).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Contain("assignee");
    }

    [Fact]
    public async Task Assigning_an_inactive_user_is_a_400_naming_assignee()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var inactive = await factory.SeedUserAsync(UserRole.Analyst);
        await factory.WithDbAsync(async db =>
        {
            var user = await db.Users.FindAsync(inactive.Id);
            user!.ChangeAccess(null, false, otherActiveAdmins: 1);
            return await db.SaveChangesAsync();
        });
        var alertId = await admin.RaiseAlertAsync();

        var problem = await (await admin.AssignAsync(alertId, inactive.Id)).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Contain("assignee");
    }

    [Fact]
    public async Task Assigning_an_unknown_alert_is_a_404()
    {
        var (analyst, me) = await factory.SignInAsync(UserRole.Analyst);

        await (await analyst.AssignAsync(987_654_321, me.Id)).ShouldBeProblemAsync(404);
    }

    [Fact]
    public async Task Assignee_filter_takes_me_none_and_a_user_id()
    {
        var (analyst, me) = await factory.SignInAsync(UserRole.Analyst);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var other = await factory.SeedUserAsync(UserRole.Analyst);
        var source = $"asg-{Guid.NewGuid():N}"[..12];
        var mine = await analyst.RaiseAlertAsync(source: source);
        var theirs = await analyst.RaiseAlertAsync(source: source);
        var nobodys = await analyst.RaiseAlertAsync(source: source);
        (await analyst.AssignAsync(mine, me.Id)).EnsureSuccessStatusCode();
        (await admin.AssignAsync(theirs, other.Id)).EnsureSuccessStatusCode();

        (await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&assignee=me")).Ids().Should().Equal(mine);
        (await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&assignee=none")).Ids().Should().Equal(nobodys);
        (await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&assignee={other.Id}")).Ids().Should().Equal(theirs);
    }

    [Fact]
    public async Task Assignee_filter_refuses_anything_else_with_a_400_naming_it()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        var problem = await (await analyst.GetAsync(new Uri("/api/alerts/?assignee=somebody", UriKind.Relative))).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Contain("assignee");
    }
}
