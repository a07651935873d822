namespace ThreatPlatform.WebApi.IntegrationTests.Contract;

/// <summary>
/// Sits innermost in every HttpClient an <see cref="Support.ApiFactory"/> makes: each response the API gives (every hop of
/// a redirect too) is checked against the OpenAPI document the same API serves, and one the document does not describe
/// throws <see cref="OpenApiContractViolationException"/> in the test that received it.
/// </summary>
public sealed class OpenApiContractHandler(Func<Task<OpenApiContract>> contract) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        var response = await base.SendAsync(request, cancellationToken);
        if (!OpenApiContract.Covers(request))
        {
            return response;
        }

        var violations = await (await contract()).CheckAsync(request, response);
        if (violations.Count > 0)
        {
            response.Dispose();
            throw new OpenApiContractViolationException(violations);
        }

        return response;
    }
}

/// <summary>A response the API's OpenAPI document does not describe: fix the endpoint's annotations (or the endpoint).</summary>
public sealed class OpenApiContractViolationException(IReadOnlyList<string> violations) : Exception(
    "The response is not what the API's OpenAPI document (/swagger/v1/swagger.json) describes:"
    + string.Concat(violations.Select(v => Environment.NewLine + "  - " + v)))
{
    public IReadOnlyList<string> Violations { get; } = violations;
}
