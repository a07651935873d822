using ThreatPlatform.Application.Common;

namespace ThreatPlatform.Application.UnitTests.Common;

/// <summary>Acronyms and path separators in validator property paths, as the wire spells them.</summary>
public sealed class SnakeCaseEdgeTests
{
    [Theory]
    [InlineData("IPAddress", "ip_address")]
    [InlineData("SourceIP", "source_ip")]
    [InlineData("A", "a")]
    [InlineData("AB", "ab")]
    [InlineData("Detection.Model", "detection.model")]
    [InlineData("Items[2].ExternalId", "items[2].external_id")]
    [InlineData("Add_Tags", "add_tags")]
    [InlineData("Page2Size", "page2_size")]
    [InlineData("Items[Key]", "items[key]")]
    public void Acronyms_and_separators_start_no_extra_word(string property, string wire) =>
        Naming.ToSnakeCase(property).Should().Be(wire);
}
