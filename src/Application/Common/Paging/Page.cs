using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.Common.Paging;

/// <summary>
/// A page of results, before WebApi wraps it in the DRF envelope with next/previous links. <see cref="Count"/> is exact
/// unless <see cref="CountIsExact"/> is false (then it is <see cref="Paging.CountCap"/>: there are more).
/// <see cref="Next"/> is where the following page starts when there is one: by page number while that stays within
/// <see cref="Paging.MaxDepth"/>, else (and always after a cursor page) by cursor.
/// </summary>
public sealed record Page<T>(
    IReadOnlyList<T> Items,
    long Count,
    int PageNumber,
    int PageSize,
    bool CountIsExact = true,
    PageLink? Next = null,
    bool IsCursorPage = false)
{
    public bool HasNext => Next is not null;

    /// <summary>The same page with its items mapped (in order, one for one) after they were read.</summary>
    public Page<TOther> WithItems<TOther>(IReadOnlyList<TOther> items) =>
        new(items, Count, PageNumber, PageSize, CountIsExact, Next, IsCursorPage);

    /// <summary>A cursor page has no previous link (keyset paging reads forward), as DRF's CursorPagination in one direction.</summary>
    public bool HasPrevious => !IsCursorPage && PageNumber > 1;
}

/// <summary>The next page: a page number, or an opaque cursor (exactly one of them).</summary>
public sealed record PageLink(int? PageNumber, string? Cursor);

/// <summary>Page number and size, as the original platform took them, and the bounds that keep every page cheap.</summary>
public static class Paging
{
    public const int DefaultPageSize = 10;
    public const int MaxPageSize = 100;

    /// <summary>Counts stop here unless the caller asks for the exact figure (search engines cap total hits the same way).</summary>
    public const int CountCap = 10_000;

    /// <summary>page × page_size may not go past this: an offset that deep reads and throws away every row before it.</summary>
    public const int MaxDepth = 10_000;

    /// <summary>page_size above the maximum is clamped to it; below 1 it falls back to the default.</summary>
    public static int ClampPageSize(int? pageSize) => pageSize switch
    {
        null or < 1 => DefaultPageSize,
        > MaxPageSize => MaxPageSize,
        { } size => size,
    };

    /// <summary>True when the page ends within <see cref="MaxDepth"/> rows.</summary>
    public static bool WithinDepth(int pageNumber, int pageSize) => (long)pageNumber * pageSize <= MaxDepth;

    /// <summary>As DRF: a page past the last one is a 404 (page 1 of nothing is an empty page).</summary>
    public static void ThrowIfPastEnd(int pageNumber, int itemsOnPage)
    {
        if (pageNumber > 1 && itemsOnPage == 0)
        {
            throw new NotFound("Page", pageNumber);
        }
    }

    public static int Skip(int pageNumber, int pageSize) => (pageNumber - 1) * pageSize;
}
