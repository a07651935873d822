using ThreatPlatform.Application.Common.Querying;

namespace ThreatPlatform.WebApi.OpenApi;

/// <summary>Endpoint metadata: the query parameters a list endpoint reads, from its <see cref="ListSpec{T}"/>, for the OpenAPI document.</summary>
internal sealed record ListParameters(IReadOnlyList<ListParameter> Parameters);

internal static class ListParametersExtensions
{
    /// <summary>Documents the list's query parameters; the endpoint reads them with <c>request.ListCriteria(spec)</c>.</summary>
    public static RouteHandlerBuilder WithListParameters<T>(this RouteHandlerBuilder builder, ListSpec<T> spec) =>
        builder.WithMetadata(new ListParameters(spec.Parameters));
}
