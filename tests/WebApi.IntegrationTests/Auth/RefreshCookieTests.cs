using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.Net.Http.Headers;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

/// <summary>
/// The console's refresh token lives in an HttpOnly cookie it asks for with <c>"cookie": true</c>; API clients that do
/// not ask keep receiving it in the body. The cookie is read only with the X-Requested-With header (CSRF).
/// The client here does not keep cookies: each test sends exactly the Cookie header it means to.
/// </summary>
public sealed class RefreshCookieTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const string Cookie = "tp_refresh";
    private static readonly string[] CookiePaths = ["/api/auth/refresh/", "/api/auth/logout/"];

    private readonly HttpClient _client = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false });

    [Fact]
    public async Task Login_asking_for_the_cookie_sets_it_HttpOnly_and_SameSite_Strict_on_the_refresh_and_logout_paths_only()
    {
        var user = await _client.SignUpAsync();

        var response = await _client.PostJsonAsync(AuthApi.Login, new { username = user.Username, password = AuthApi.Password, cookie = true });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var cookies = RefreshCookies(response);
        cookies.Select(c => c.Path.Value).Should().BeEquivalentTo(CookiePaths);
        cookies.Should().OnlyContain(c => c.HttpOnly && c.SameSite == SameSiteMode.Strict && !c.Secure, "plain HTTP here: Secure only on HTTPS");
        cookies.Should().OnlyContain(c => c.Expires == null && c.MaxAge == null && c.Domain.Value == null);
        cookies.Select(c => c.Value.Value).Distinct().Should().ContainSingle().Which.Should().NotBeNullOrEmpty();
        using var body = await AuthApi.ReadJsonAsync(response);
        body.RootElement.TryGetProperty("refresh", out _).Should().BeFalse("the refresh token stays out of the script's reach");
        (await _client.GetWithTokenAsync(AuthApi.Me, body.RootElement.GetProperty("access").GetString()!)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Over_https_the_refresh_cookie_is_also_Secure()
    {
        using var https = factory.CreateClient(new WebApplicationFactoryClientOptions { HandleCookies = false, BaseAddress = new Uri("https://localhost") });
        var user = await https.SignUpAsync();

        var response = await https.PostJsonAsync(AuthApi.Login, new { username = user.Username, password = AuthApi.Password, cookie = true });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        RefreshCookies(response).Should().HaveCount(2).And.OnlyContain(c => c.Secure && c.HttpOnly && c.SameSite == SameSiteMode.Strict);
    }

    [Fact]
    public async Task Login_without_asking_answers_the_refresh_token_in_the_body_and_sets_no_cookie()
    {
        var user = await _client.SignUpAsync();

        var response = await _client.LoginAsync(user.Username);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        (response.Headers.TryGetValues(HeaderNames.SetCookie, out var cookies) ? cookies : [])
            .Should().NotContain(c => c.StartsWith("tp_refresh=", StringComparison.Ordinal), "only the sign-in's device cookie is set");
        var (_, refresh) = await AuthApi.TokensAsync(response);
        refresh.Should().NotBeNullOrEmpty();
    }

    [Fact]
    public async Task Refresh_with_the_cookie_alone_answers_a_new_access_token_and_a_rotated_cookie()
    {
        var first = await CookieSignInAsync();

        var response = await RefreshWithCookieAsync(first);

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var rotated = RefreshCookies(response);
        rotated.Select(c => c.Path.Value).Should().BeEquivalentTo(CookiePaths);
        rotated.Should().OnlyContain(c => c.HttpOnly && c.SameSite == SameSiteMode.Strict);
        var next = rotated.Select(c => c.Value.Value).Distinct().Should().ContainSingle().Subject!;
        next.Should().NotBe(first);
        using var body = await AuthApi.ReadJsonAsync(response);
        body.RootElement.TryGetProperty("refresh", out _).Should().BeFalse();
        (await _client.GetWithTokenAsync(AuthApi.Me, body.RootElement.GetProperty("access").GetString()!)).StatusCode.Should().Be(HttpStatusCode.OK);
        (await RefreshWithCookieAsync(next)).StatusCode.Should().Be(HttpStatusCode.OK, "the rotated cookie refreshes in turn");
    }

    [Fact]
    public async Task The_cookie_a_refresh_rotated_away_is_refused_and_cleared()
    {
        var first = await CookieSignInAsync();
        (await RefreshWithCookieAsync(first)).StatusCode.Should().Be(HttpStatusCode.OK);

        var replay = await RefreshWithCookieAsync(first);

        await replay.ShouldBeProblemAsync(401);
        RefreshCookies(replay).Should().HaveCount(2).And.OnlyContain(c => c.Expires < DateTimeOffset.UtcNow && c.Value == string.Empty);
    }

    [Fact]
    public async Task Refresh_through_the_cookie_without_the_csrf_header_is_refused_naming_it_and_spends_nothing()
    {
        var first = await CookieSignInAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, AuthApi.Refresh) { Content = JsonContent.Create(new { }) };
        request.Headers.Add(HeaderNames.Cookie, $"{Cookie}={first}");

        var response = await _client.SendAsync(request);

        var problem = await response.ShouldBeProblemAsync(400);
        problem.ErrorFields().Should().Equal("X-Requested-With");
        (response.Headers.TryGetValues(HeaderNames.SetCookie, out var cookies) ? cookies : [])
            .Should().NotContain(c => c.StartsWith("tp_refresh=", StringComparison.Ordinal), "only the sign-in's device cookie is set");
        (await RefreshWithCookieAsync(first)).StatusCode.Should().Be(HttpStatusCode.OK, "the refused request did not rotate the token");
    }

    [Fact]
    public async Task A_refresh_token_in_the_body_can_be_moved_into_the_cookie()
    {
        var user = await _client.SignUpAsync();

        var response = await _client.PostJsonAsync(AuthApi.Refresh, new { refresh = user.Refresh, cookie = true });

        response.StatusCode.Should().Be(HttpStatusCode.OK);
        var cookie = RefreshCookies(response).Select(c => c.Value.Value).Distinct().Should().ContainSingle().Subject!;
        (await RefreshWithCookieAsync(cookie)).StatusCode.Should().Be(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_with_the_cookie_revokes_its_token_and_clears_it()
    {
        var user = await _client.SignUpAsync();
        var login = await _client.PostJsonAsync(AuthApi.Login, new { username = user.Username, password = AuthApi.Password, cookie = true });
        var cookie = RefreshCookies(login)[0].Value.Value!;
        using var access = await AuthApi.ReadJsonAsync(login);
        using var request = new HttpRequestMessage(HttpMethod.Post, AuthApi.Logout) { Content = JsonContent.Create(new { }) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access.RootElement.GetProperty("access").GetString());
        request.Headers.Add(HeaderNames.Cookie, $"{Cookie}={cookie}");
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");

        var response = await _client.SendAsync(request);

        response.StatusCode.Should().Be(HttpStatusCode.NoContent);
        var cleared = RefreshCookies(response);
        cleared.Select(c => c.Path.Value).Should().BeEquivalentTo(CookiePaths);
        cleared.Should().OnlyContain(c => c.Expires < DateTimeOffset.UtcNow && c.Value == string.Empty);
        await (await RefreshWithCookieAsync(cookie)).ShouldBeProblemAsync(401);
    }

    private async Task<string> CookieSignInAsync()
    {
        var user = await _client.SignUpAsync();
        var response = await _client.PostJsonAsync(AuthApi.Login, new { username = user.Username, password = AuthApi.Password, cookie = true });
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return RefreshCookies(response)[0].Value.Value!;
    }

    /// <summary>POST /api/auth/refresh/ as the console sends it: an empty JSON body, the cookie, the CSRF header.</summary>
    private async Task<HttpResponseMessage> RefreshWithCookieAsync(string cookie)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, AuthApi.Refresh) { Content = JsonContent.Create(new { }) };
        request.Headers.Add(HeaderNames.Cookie, $"{Cookie}={cookie}");
        request.Headers.Add("X-Requested-With", "XMLHttpRequest");
        return await _client.SendAsync(request);
    }

    private static List<SetCookieHeaderValue> RefreshCookies(HttpResponseMessage response) =>
        response.Headers.TryGetValues(HeaderNames.SetCookie, out var values)
            ? SetCookieHeaderValue.ParseList(values.ToList()).Where(c => c.Name == Cookie).ToList()
            : [];
}
