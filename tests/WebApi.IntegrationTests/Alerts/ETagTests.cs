using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

public sealed class ETagTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string[] OneTag = ["x"];

    [Fact]
    public async Task Alert_detail_carries_an_etag_that_changes_with_the_alert()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var alertId = await admin.RaiseAlertAsync();

        var before = await ETagOf(admin, alertId);
        var write = await admin.ChangeStatusAsync(alertId, "ACKNOWLEDGED");
        var after = await ETagOf(admin, alertId);

        before.Should().NotBeNull();
        after.Should().NotBe(before);
        write.Headers.ETag!.Tag.Should().Be(after);
    }

    [Fact]
    public async Task A_write_with_a_stale_if_match_is_a_412_and_changes_nothing()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var alertId = await admin.RaiseAlertAsync();
        var stale = await ETagOf(admin, alertId);
        (await admin.PutTagsAsync(alertId, "moved-on")).EnsureSuccessStatusCode();

        await (await Send(admin, HttpMethod.Patch, EventsApi.AlertStatus(alertId), new { status = "ACKNOWLEDGED" }, stale)).ShouldBeProblemAsync(412);
        await (await Send(admin, HttpMethod.Post, TriageApi.Assign(alertId), new { assignee = (long?)null }, stale)).ShouldBeProblemAsync(412);
        await (await Send(admin, HttpMethod.Put, TriageApi.Tags(alertId), new { tags = OneTag }, stale)).ShouldBeProblemAsync(412);
        await (await Send(admin, HttpMethod.Post, TriageApi.Comments(alertId), new { body = "late" }, stale)).ShouldBeProblemAsync(412);

        var alert = await admin.AlertAsync(alertId);
        alert.GetProperty("status").GetString().Should().Be("OPEN");
        alert.TagList().Should().Equal("moved-on");
        alert.GetProperty("comments_count").GetInt32().Should().Be(0);
    }

    [Fact]
    public async Task A_write_with_the_current_etag_or_a_star_succeeds()
    {
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);
        var alertId = await admin.RaiseAlertAsync();

        var current = await ETagOf(admin, alertId);
        var first = await Send(admin, HttpMethod.Patch, EventsApi.AlertStatus(alertId), new { status = "ACKNOWLEDGED" }, current);
        var second = await Send(admin, HttpMethod.Put, TriageApi.Tags(alertId), new { tags = OneTag }, "*");
        var third = await Send(admin, HttpMethod.Post, TriageApi.Comments(alertId), new { body = "ok" }, second.Headers.ETag!.Tag);

        first.StatusCode.Should().Be(HttpStatusCode.OK);
        second.StatusCode.Should().Be(HttpStatusCode.OK);
        third.StatusCode.Should().Be(HttpStatusCode.Created);
        third.Headers.ETag!.Tag.Should().Be(await ETagOf(admin, alertId));
    }

    private static async Task<string> ETagOf(HttpClient client, long alertId)
    {
        var response = await client.GetAsync(EventsApi.Alert(alertId));
        response.EnsureSuccessStatusCode();
        return response.Headers.ETag!.Tag;
    }

    private static async Task<HttpResponseMessage> Send(HttpClient client, HttpMethod method, Uri uri, object body, string ifMatch)
    {
        using var request = new HttpRequestMessage(method, uri) { Content = JsonContent.Create(body) };
        request.Headers.IfMatch.Add(ifMatch == "*" ? EntityTagHeaderValue.Any : new EntityTagHeaderValue(ifMatch));
        return await client.SendAsync(request);
    }
}
