using System.Globalization;
using Microsoft.AspNetCore.Http.Extensions;
using ThreatPlatform.Application.Common.Paging;

namespace ThreatPlatform.WebApi.Common;

/// <summary>DRF's paginated envelope: <c>{count, next, previous, results}</c> with absolute next/previous URLs or null.</summary>
public sealed record PageEnvelope<T>(long Count, Uri? Next, Uri? Previous, IReadOnlyList<T> Results);

public static class PageEnvelope
{
    /// <summary>Wraps a page; next/previous keep every query parameter of the request and change only <c>page</c>.</summary>
    public static PageEnvelope<T> From<T>(Page<T> page, HttpRequest request) => new(
        page.Count,
        page.HasNext ? LinkTo(request, page.PageNumber + 1) : null,
        page.HasPrevious ? LinkTo(request, page.PageNumber - 1) : null,
        page.Items);

    private static Uri LinkTo(HttpRequest request, int pageNumber)
    {
        var query = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(request.QueryString.Value);
        query["page"] = pageNumber.ToString(CultureInfo.InvariantCulture);
        var builder = new QueryBuilder();
        foreach (var (key, values) in query)
        {
            foreach (var value in values)
            {
                builder.Add(key, value ?? string.Empty);
            }
        }

        return new Uri(UriHelper.BuildAbsolute(request.Scheme, request.Host, request.PathBase, request.Path, builder.ToQueryString()));
    }
}
