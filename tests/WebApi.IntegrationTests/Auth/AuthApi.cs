using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace ThreatPlatform.WebApi.IntegrationTests.Auth;

/// <summary>Sign-up and sign-in through HTTP, as a client would, for tests about identity and access.</summary>
internal static class AuthApi
{
    public const string Password = "correct horse battery staple";

    public static readonly Uri Register = new("/api/auth/register/", UriKind.Relative);
    public static readonly Uri Login = new("/api/auth/login/", UriKind.Relative);
    public static readonly Uri Refresh = new("/api/auth/refresh/", UriKind.Relative);
    public static readonly Uri Logout = new("/api/auth/logout/", UriKind.Relative);
    public static readonly Uri Me = new("/api/auth/me/", UriKind.Relative);
    public static readonly Uri Users = new("/api/users/", UriKind.Relative);

    public static Uri User(long id) => new($"/api/users/{id}/", UriKind.Relative);

    /// <summary>A username no other test uses (the database is shared by a test class).</summary>
    public static string NewUsername(string prefix = "user") => $"{prefix}_{Guid.NewGuid():N}"[..(prefix.Length + 13)];

    public static Task<HttpResponseMessage> PostJsonAsync(this HttpClient client, Uri uri, object body) =>
        client.PostAsync(uri, JsonContent.Create(body));

    public static Task<HttpResponseMessage> PatchJsonAsync(this HttpClient client, Uri uri, object body) =>
        client.PatchAsync(uri, JsonContent.Create(body));

    public static async Task<HttpResponseMessage> RegisterAsync(this HttpClient client, string username, string password = Password) =>
        await client.PostJsonAsync(Register, new { username, email = $"{username}@example.org", password });

    public static async Task<HttpResponseMessage> LoginAsync(this HttpClient client, string username, string password = Password) =>
        await client.PostJsonAsync(Login, new { username, password });

    /// <summary>Registers a new ANALYST and logs in: its id, name and tokens.</summary>
    public static async Task<SignedIn> SignUpAsync(this HttpClient client, string? username = null)
    {
        var name = username ?? NewUsername();
        var registered = await client.RegisterAsync(name);
        registered.EnsureSuccessStatusCode();
        using var user = await ReadJsonAsync(registered);
        var tokens = await client.LoginTokensAsync(name);
        return new SignedIn(user.RootElement.GetProperty("id").GetInt64(), name, tokens.Access, tokens.Refresh);
    }

    public static async Task<(string Access, string Refresh)> LoginTokensAsync(this HttpClient client, string username, string password = Password)
    {
        var response = await client.LoginAsync(username, password);
        response.EnsureSuccessStatusCode();
        return await TokensAsync(response);
    }

    public static async Task<(string Access, string Refresh)> TokensAsync(HttpResponseMessage response)
    {
        using var body = await ReadJsonAsync(response);
        return (body.RootElement.GetProperty("access").GetString()!, body.RootElement.GetProperty("refresh").GetString()!);
    }

    public static Task<HttpResponseMessage> RefreshAsync(this HttpClient client, string refresh) =>
        client.PostJsonAsync(Refresh, new { refresh });

    public static async Task<HttpResponseMessage> GetWithTokenAsync(this HttpClient client, Uri uri, string access)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, uri);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return await client.SendAsync(request);
    }

    public static async Task<HttpResponseMessage> PostWithTokenAsync(this HttpClient client, Uri uri, string access, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = JsonContent.Create(body) };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", access);
        return await client.SendAsync(request);
    }

    public static async Task<JsonDocument> ReadJsonAsync(HttpResponseMessage response) =>
        JsonDocument.Parse(await response.Content.ReadAsStringAsync());

    /// <summary>Asserts a problem+json answer with this status, and returns its body.</summary>
    public static async Task<JsonElement> ShouldBeProblemAsync(this HttpResponseMessage response, int status)
    {
        ((int)response.StatusCode).Should().Be(status, await response.Content.ReadAsStringAsync());
        response.Content.Headers.ContentType!.MediaType.Should().Be("application/problem+json");
        using var body = await ReadJsonAsync(response);
        body.RootElement.GetProperty("status").GetInt32().Should().Be(status);
        return body.RootElement.Clone();
    }

    /// <summary>The field names of a problem's <c>errors</c>.</summary>
    public static IEnumerable<string> ErrorFields(this JsonElement problem) =>
        problem.GetProperty("errors").EnumerateObject().Select(p => p.Name);
}

internal sealed record SignedIn(long Id, string Username, string Access, string Refresh);
