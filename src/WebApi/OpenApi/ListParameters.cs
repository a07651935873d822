using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;

namespace ThreatPlatform.WebApi.OpenApi;

/// <summary>Endpoint metadata: the query parameters a list endpoint reads, from its <see cref="ListSpec{T}"/>, for the OpenAPI document.</summary>
internal sealed record ListParameters(IReadOnlyList<ListParameter> Parameters)
{
    public static ListParameters From<T>(ListSpec<T> spec)
    {
        List<ListParameter> parameters =
        [
            new(ListSpec<T>.PageParameter, typeof(int), Minimum: 1, Maximum: int.MaxValue),
            new(ListSpec<T>.PageSizeParameter, typeof(int), Minimum: 1, Maximum: Paging.MaxPageSize, Description: $"Default {Paging.DefaultPageSize}; larger values are clamped to {Paging.MaxPageSize}."),
            .. spec.Filters,
        ];
        if (spec.SearchMaxLength is { } searchMax)
        {
            parameters.Add(new(ListSpec<T>.SearchParameter, typeof(string), MaxLength: searchMax, Description: "Case-insensitive substring."));
        }

        parameters.Add(new(
            ListSpec<T>.OrderingParameter,
            typeof(string),
            MaxLength: spec.Orderings.Max(o => o.Length) + 1,
            Description: $"One of {string.Join(", ", spec.Orderings)}; a leading '-' orders descending. Default {spec.DefaultOrdering}."));
        return new ListParameters(parameters);
    }
}

internal static class ListParametersExtensions
{
    /// <summary>Documents the list's query parameters; the endpoint reads them with <c>request.ListCriteria(spec)</c>.</summary>
    public static RouteHandlerBuilder WithListParameters<T>(this RouteHandlerBuilder builder, ListSpec<T> spec) =>
        builder.WithMetadata(ListParameters.From(spec));
}
