namespace ThreatPlatform.WebApi.OpenApi;

/// <summary>
/// Endpoint metadata for a body that is a JSON array: how many items the endpoint accepts, told to the OpenAPI
/// document as the body's <c>maxItems</c> (<c>.WithMetadata(new MaxRequestItems(n))</c>).
/// </summary>
public sealed record MaxRequestItems(int MaxItems);
