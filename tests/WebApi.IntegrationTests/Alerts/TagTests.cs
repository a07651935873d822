using System.Net;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Alerts;

public sealed class TagTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Putting_tags_replaces_the_set_and_drops_repeats()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();
        (await analyst.PutTagsAsync(alertId, "phishing", "vip")).EnsureSuccessStatusCode();

        var response = await analyst.PutTagsAsync(alertId, "mitre:t1059", "case-42", "mitre:t1059");

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (await EventsApi.JsonAsync(response)).TagList().Should().Equal("mitre:t1059", "case-42");
        (await analyst.AlertAsync(alertId)).TagList().Should().Equal("mitre:t1059", "case-42");
    }

    [Fact]
    public async Task An_empty_list_clears_the_tags()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();
        (await analyst.PutTagsAsync(alertId, "vip")).EnsureSuccessStatusCode();

        (await analyst.PutTagsAsync(alertId)).EnsureSuccessStatusCode();

        (await analyst.AlertAsync(alertId)).TagList().Should().BeEmpty();
    }

    [Theory]
    [InlineData("UPPER")]
    [InlineData("with space")]
    [InlineData("")]
    [InlineData("x-51-characters-long-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx")]
    [InlineData("nul\u0000")]
    public async Task A_malformed_tag_is_a_400_naming_tags(string tag)
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();

        var problem = await (await analyst.PutTagsAsync(alertId, "fine", tag)).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Contain("tags");
        (await analyst.AlertAsync(alertId)).TagList().Should().BeEmpty();
    }

    [Fact]
    public async Task More_than_20_tags_is_a_400_naming_tags()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();

        var problem = await (await analyst.PutTagsAsync(alertId, [.. Enumerable.Range(1, 21).Select(i => $"t{i}")])).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Contain("tags");
    }

    [Fact]
    public async Task Twenty_tags_of_50_characters_are_accepted()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();
        var tags = Enumerable.Range(10, 20).Select(i => $"{i}" + new string('a', 48)).ToArray();

        (await analyst.PutTagsAsync(alertId, tags)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Tags_filter_matches_alerts_that_carry_all_the_given_tags()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = $"tag-{Guid.NewGuid():N}"[..12];
        var both = await analyst.RaiseAlertAsync(source: source);
        var onlyOne = await analyst.RaiseAlertAsync(source: source);
        var bothAndMore = await analyst.RaiseAlertAsync(source: source);
        (await analyst.PutTagsAsync(both, "phishing", "vip")).EnsureSuccessStatusCode();
        (await analyst.PutTagsAsync(onlyOne, "phishing")).EnsureSuccessStatusCode();
        (await analyst.PutTagsAsync(bothAndMore, "vip", "phishing", "escalated")).EnsureSuccessStatusCode();

        var comma = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&tags=phishing,vip");
        var repeated = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&tags=vip&tags=phishing");
        var single = await analyst.GetJsonAsync($"/api/alerts/?event__source={source}&tags=phishing");

        comma.Ids().Should().BeEquivalentTo([both, bothAndMore]);
        repeated.Ids().Should().BeEquivalentTo([both, bothAndMore]);
        single.Ids().Should().BeEquivalentTo([both, onlyOne, bothAndMore]);
    }

    [Fact]
    public async Task Tags_without_a_list_is_a_400_naming_tags()
    {
        var analyst = await factory.CreateClientAsAsync(UserRole.Analyst);
        var alertId = await analyst.RaiseAlertAsync();

        var problem = await (await analyst.PutAsync(TriageApi.Tags(alertId), System.Net.Http.Json.JsonContent.Create(new { }))).ShouldBeProblemAsync(400);

        problem.ErrorFields().Should().Contain("tags");
    }
}
