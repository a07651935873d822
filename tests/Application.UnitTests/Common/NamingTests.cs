using ThreatPlatform.Application.Common;
using ThreatPlatform.Application.Common.Paging;

namespace ThreatPlatform.Application.UnitTests.Common;

public sealed class NamingTests
{
    [Theory]
    [InlineData("Source", "source")]
    [InlineData("EventType", "event_type")]
    [InlineData("SourceIp", "source_ip")]
    [InlineData("Items[3].DestinationIp", "items[3].destination_ip")]
    [InlineData("HTTPStatus", "http_status")]
    [InlineData("already_snake", "already_snake")]
    [InlineData("", "")]
    public void Validator_property_paths_become_wire_field_names(string property, string expected) =>
        Naming.ToSnakeCase(property).Should().Be(expected);
}

public sealed class PagingTests
{
    [Theory]
    [InlineData(null, 10)]
    [InlineData(0, 10)]
    [InlineData(-5, 10)]
    [InlineData(1, 1)]
    [InlineData(100, 100)]
    [InlineData(101, 100)]
    [InlineData(int.MaxValue, 100)]
    public void Page_size_defaults_to_ten_and_is_clamped_to_one_hundred(int? requested, int expected) =>
        Paging.ClampPageSize(requested).Should().Be(expected);

    [Fact]
    public void A_page_knows_whether_pages_come_before_and_after_it()
    {
        var middle = new Page<int>([1, 2], Count: 25, PageNumber: 2, PageSize: 10, Next: new PageLink(3, null));
        var last = new Page<int>([1], Count: 25, PageNumber: 3, PageSize: 10);
        var byCursor = new Page<int>([1], Count: 25, PageNumber: 1, PageSize: 10, Next: new PageLink(null, "c"), IsCursorPage: true);

        middle.HasNext.Should().BeTrue();
        middle.HasPrevious.Should().BeTrue();
        last.HasNext.Should().BeFalse();
        byCursor.HasNext.Should().BeTrue();
        byCursor.HasPrevious.Should().BeFalse();
    }

    [Theory]
    [InlineData(1, 100, true)]
    [InlineData(100, 100, true)]
    [InlineData(101, 100, false)]
    [InlineData(1000, 10, true)]
    [InlineData(1001, 10, false)]
    [InlineData(int.MaxValue, 100, false)]
    public void Page_depth_stops_at_ten_thousand_rows(int page, int pageSize, bool within) =>
        Paging.WithinDepth(page, pageSize).Should().Be(within);
}
