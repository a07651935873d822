using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Domain.Common;

namespace ThreatPlatform.Application.UnitTests.Common;

/// <summary>Where a numbered page starts, and which empty pages are a 404 (as DRF answers them).</summary>
public sealed class PagePositionTests
{
    [Theory]
    [InlineData(1, 10, 0)]
    [InlineData(2, 10, 10)]
    [InlineData(5, 25, 100)]
    public void A_page_skips_the_rows_of_the_pages_before_it(int page, int pageSize, int skip) =>
        Paging.Skip(page, pageSize).Should().Be(skip);

    [Fact]
    public void Page_one_of_nothing_is_an_empty_page_and_any_later_empty_page_is_not_found()
    {
        var first = () => Paging.ThrowIfPastEnd(1, 0);
        var later = () => Paging.ThrowIfPastEnd(2, 0);
        var filled = () => Paging.ThrowIfPastEnd(2, 1);

        first.Should().NotThrow();
        later.Should().Throw<NotFound>();
        filled.Should().NotThrow();
    }

    [Fact]
    public void The_first_numbered_page_has_no_previous_page() =>
        new Page<int>([1], Count: 11, PageNumber: 1, PageSize: 10).HasPrevious.Should().BeFalse();
}
