using System.Buffers.Text;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Application.UnitTests.Common;

public sealed class ListCursorTests
{
    private static readonly Type[] SeverityKeys = [typeof(Severity), typeof(DateTimeOffset), typeof(long)];

    private static IReadOnlyList<Type>? KeyTypes(string ordering) => ordering == "-event__severity" ? SeverityKeys : null;

    [Fact]
    public void A_cursor_reads_back_as_the_same_ordering_and_typed_key_values()
    {
        var at = new DateTimeOffset(2026, 11, 24, 10, 0, 0, TimeSpan.FromHours(2)).AddTicks(1230);
        var text = new ListCursor("-event__severity", [Severity.Critical, at, 42L]).Encode();

        ListCursor.TryDecode(text, KeyTypes, out var cursor, out var error).Should().BeTrue(error);

        cursor!.Ordering.Should().Be("-event__severity");
        cursor.Values.Should().Equal(Severity.Critical, at, 42L);
        ((DateTimeOffset)cursor.Values[1]).UtcTicks.Should().Be(at.UtcTicks);
    }

    [Fact]
    public void A_cursor_is_url_safe_text()
    {
        var text = new ListCursor("-event__severity", [Severity.Critical, DateTimeOffset.UnixEpoch, long.MaxValue]).Encode();

        text.Should().MatchRegex("^[A-Za-z0-9_-]+$");
    }

    [Fact]
    public void Any_changed_character_is_refused()
    {
        var text = new ListCursor("-event__severity", [Severity.High, DateTimeOffset.UnixEpoch, 7L]).Encode();

        for (var i = 0; i < text.Length; i++)
        {
            var changed = text[..i] + (text[i] == 'A' ? 'B' : 'A') + text[(i + 1)..];
            ListCursor.TryDecode(changed, KeyTypes, out _, out var error).Should().BeFalse($"character {i} was changed");
            error.Should().NotBeNullOrEmpty();
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not a cursor")]
    [InlineData("AAAA")]
    [InlineData("eyJ4IjoxfQ")]
    public void Text_that_is_no_cursor_is_refused(string text) =>
        ListCursor.TryDecode(text, KeyTypes, out _, out _).Should().BeFalse();

    [Fact]
    public void A_cursor_of_an_ordering_the_list_does_not_have_is_refused()
    {
        var text = new ListCursor("-updated_at", [DateTimeOffset.UnixEpoch, 7L]).Encode();

        ListCursor.TryDecode(text, KeyTypes, out _, out _).Should().BeFalse();
    }

    [Fact]
    public void A_cursor_whose_values_do_not_fit_the_key_types_is_refused()
    {
        // Well formed and with a valid checksum, but a severity the enum does not have and text where a date belongs.
        var text = new ListCursor("-event__severity", [99L, "yesterday", 7L]).Encode();

        ListCursor.TryDecode(text, KeyTypes, out _, out _).Should().BeFalse();
    }

    [Fact]
    public void A_cursor_of_another_version_is_refused_with_its_own_reason()
    {
        // Version 2's payload with a valid checksum: only the version is wrong.
        var payload = System.Text.Encoding.UTF8.GetBytes("""[2,"-event__severity",[4,"2026-11-24T10:00:00.0000000+00:00",7]]""");
        var checksum = System.Security.Cryptography.SHA256.HashData(payload)[..8];
        var text = Base64Url.EncodeToString([.. payload, .. checksum]);

        ListCursor.TryDecode(text, KeyTypes, out _, out var error).Should().BeFalse();
        error.Should().Contain("another version");
    }
}
