using System.Net;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

public sealed class CommentTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task A_comment_is_created_with_its_author_and_listed_oldest_first()
    {
        var (analyst, me) = await factory.SignInAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();

        var response = await analyst.CommentAsync(alertId, "first look: scanner");
        await analyst.CommentOkAsync(alertId, "second look: benign");

        response.StatusCode.Should().Be(HttpStatusCode.Created);
        var created = await EventsApi.JsonAsync(response);
        created.EnumerateObject().Select(p => p.Name).Should().BeEquivalentTo("id", "author", "body", "created_at");
        created.GetProperty("author").GetProperty("id").GetInt64().Should().Be(me.Id);
        created.GetProperty("author").GetProperty("username").GetString().Should().Be(me.Username);
        var page = await analyst.GetJsonAsync(TriageApi.Comments(alertId));
        page.GetProperty("count").GetInt64().Should().Be(2);
        page.GetProperty("results").EnumerateArray().Select(c => c.GetProperty("body").GetString())
            .Should().Equal("first look: scanner", "second look: benign");
        (await analyst.AlertAsync(alertId)).GetProperty("comments_count").GetInt32().Should().Be(2);
    }

    [Fact]
    public async Task Markup_in_a_comment_is_returned_verbatim_as_text()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();
        const string body = "<script>alert('x')</script> & <b>bold</b>";

        await analyst.CommentOkAsync(alertId, body);

        var page = await analyst.GetJsonAsync(TriageApi.Comments(alertId));
        page.GetProperty("results")[0].GetProperty("body").GetString().Should().Be(body);
    }

    [Theory]
    [InlineData(0)]
    [InlineData(10_001)]
    public async Task A_comment_outside_1_to_10000_characters_is_a_400_naming_body(int length)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();

        var problem = await (await analyst.CommentAsync(alertId, new string('c', length))).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Contain("body");
    }

    [Fact]
    public async Task A_comment_of_exactly_10000_characters_is_kept_whole()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();

        await analyst.CommentOkAsync(alertId, new string('c', 10_000));

        var page = await analyst.GetJsonAsync(TriageApi.Comments(alertId));
        page.GetProperty("results")[0].GetProperty("body").GetString().Should().HaveLength(10_000);
    }

    [Fact]
    public async Task A_comment_with_a_nul_character_is_a_400_naming_body()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();

        var problem = await (await analyst.CommentAsync(alertId, "bad\u0000text")).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Contain("body");
    }

    [Fact]
    public async Task Its_author_deletes_a_comment_and_it_is_no_longer_listed()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();
        var commentId = await analyst.CommentOkAsync(alertId, "wrong alert, sorry");

        var response = await analyst.DeleteAsync(TriageApi.Comment(alertId, commentId));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        (await analyst.GetJsonAsync(TriageApi.Comments(alertId))).GetProperty("count").GetInt64().Should().Be(0);
        (await analyst.AlertAsync(alertId)).GetProperty("comments_count").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task An_admin_deletes_anyones_comment()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var alertId = await analyst.RaiseAlertAsync();
        var commentId = await analyst.CommentOkAsync(alertId, "contains a password, oops");

        var response = await admin.DeleteAsync(TriageApi.Comment(alertId, commentId));

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
    }

    [Fact]
    public async Task Another_analyst_cannot_delete_a_comment()
    {
        var author = await factory.CreateClientAsAsync(UserRole.Analyst);
        var other = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await author.RaiseAlertAsync();
        var commentId = await author.CommentOkAsync(alertId, "mine");

        await (await other.DeleteAsync(TriageApi.Comment(alertId, commentId))).ShouldBeProblemAsync(403);

        (await author.GetJsonAsync(TriageApi.Comments(alertId))).GetProperty("count").GetInt64().Should().Be(1);
    }

    [Fact]
    public async Task Deleting_a_comment_of_another_alert_or_twice_is_a_404()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();
        var otherAlertId = await analyst.RaiseAlertAsync();
        var commentId = await analyst.CommentOkAsync(alertId, "here");

        await (await analyst.DeleteAsync(TriageApi.Comment(otherAlertId, commentId))).ShouldBeProblemAsync(404);
        (await analyst.DeleteAsync(TriageApi.Comment(alertId, commentId))).EnsureSuccessStatusCode();
        await (await analyst.DeleteAsync(TriageApi.Comment(alertId, commentId))).ShouldBeProblemAsync(404);
    }

    [Fact]
    public async Task Comments_of_an_unknown_alert_are_a_404()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);

        await (await analyst.GetAsync(TriageApi.Comments(987_654_321))).ShouldBeProblemAsync(404);
        await (await analyst.CommentAsync(987_654_321, "hello")).ShouldBeProblemAsync(404);
    }
}
