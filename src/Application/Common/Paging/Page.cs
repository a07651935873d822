using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Common.Paging;

/// <summary>A page of results and the total count, before WebApi wraps it in the DRF envelope with next/previous links.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, long Count, int PageNumber, int PageSize)
{
    public bool HasNext => (long)PageNumber * PageSize < Count;

    public bool HasPrevious => PageNumber > 1;
}

/// <summary>Page number and size, as the original platform took them.</summary>
public static class Paging
{
    public const int DefaultPageSize = 10;
    public const int MaxPageSize = 100;

    /// <summary>page_size above the maximum is clamped to it; below 1 it falls back to the default.</summary>
    public static int ClampPageSize(int? pageSize) => pageSize switch
    {
        null or < 1 => DefaultPageSize,
        > MaxPageSize => MaxPageSize,
        { } size => size,
    };

    /// <summary>As DRF: a page past the last one is a 404 (page 1 of nothing is an empty page).</summary>
    public static void ThrowIfPastEnd(int pageNumber, int pageSize, long count)
    {
        if (pageNumber > 1 && (long)(pageNumber - 1) * pageSize >= count)
        {
            throw new NotFound("Page", pageNumber);
        }
    }

    public static int Skip(int pageNumber, int pageSize) => (pageNumber - 1) * pageSize;
}
