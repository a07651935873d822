namespace ThreatPlatform.Application.Events.Formats;

/// <summary>
/// The time forms the formats use, read from spans without exceptions: RFC 3339 (RFC 5424's TIMESTAMP, strict; EVE,
/// ECS and CEF, lenient), the BSD form of RFC 3164 (<c>Mmm dd hh:mm:ss</c>, no year, no zone) and milliseconds since
/// the Unix epoch (CEF <c>rt</c>, OCSF <c>time</c>).
/// </summary>
internal static class RecordTime
{
    private static readonly string[] Months = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    private static readonly long MinEpochMs = DateTimeOffset.MinValue.ToUnixTimeMilliseconds();
    private static readonly long MaxEpochMs = DateTimeOffset.MaxValue.ToUnixTimeMilliseconds();

    /// <summary>
    /// <c>YYYY-MM-DDThh:mm:ss[.frac][offset]</c>. Strict (RFC 5424 §6.2.3): upper-case T and Z, at most six fractional
    /// digits, an offset required as Z or ±hh:mm. Lenient: also a space or t between date and time, up to nine fractional
    /// digits, ±hhmm or ±hh, and no offset (UTC).
    /// </summary>
    public static bool TryParseRfc3339(ReadOnlySpan<char> s, bool strict, out DateTimeOffset value)
    {
        value = default;
        if (s.Length < 19
            || !TryDigits(s[..4], out var year) || s[4] != '-' || !TryDigits(s.Slice(5, 2), out var month) || s[7] != '-'
            || !TryDigits(s.Slice(8, 2), out var day)
            || !(s[10] == 'T' || (!strict && (s[10] is 't' or ' ')))
            || !TryDigits(s.Slice(11, 2), out var hour) || s[13] != ':' || !TryDigits(s.Slice(14, 2), out var minute)
            || s[16] != ':' || !TryDigits(s.Slice(17, 2), out var second))
        {
            return false;
        }

        var pos = 19;
        long fractionTicks = 0;
        if (pos < s.Length && s[pos] == '.')
        {
            var start = ++pos;
            while (pos < s.Length && char.IsAsciiDigit(s[pos]))
            {
                pos++;
            }

            var digits = pos - start;
            if (digits == 0 || digits > (strict ? 6 : 9))
            {
                return false;
            }

            fractionTicks = FractionTicks(s[start..pos]);
        }

        TimeSpan offset;
        var zone = s[pos..];
        if (zone.IsEmpty)
        {
            if (strict)
            {
                return false;
            }

            offset = TimeSpan.Zero;
        }
        else if (zone is "Z" || (!strict && zone is "z"))
        {
            offset = TimeSpan.Zero;
        }
        else if (!TryOffset(zone, strict, out offset))
        {
            return false;
        }

        return TryBuild(year, month, day, hour, minute, second, fractionTicks, offset, out value);
    }

    /// <summary>
    /// The BSD timestamp at the start of <paramref name="s"/>: <c>Mmm dd hh:mm:ss</c> where the day is space-padded
    /// (<c>Feb  5</c>), zero-padded or a single digit, with optional milliseconds; a four-digit year between the day and
    /// the time is read too (<c>Mmm dd yyyy hh:mm:ss</c>, CEF's form). <paramref name="length"/> is how many characters
    /// it took. The year is null when the text has none.
    /// </summary>
    public static bool TryParseBsd(ReadOnlySpan<char> s, out BsdTime time, out int length)
    {
        time = default;
        length = 0;
        if (s.Length < 14 || s[3] != ' ')
        {
            return false;
        }

        var month = MonthOf(s[..3]);
        if (month == 0)
        {
            return false;
        }

        var pos = 4;
        if (s[pos] == ' ')
        {
            pos++;
        }

        var dayStart = pos;
        while (pos < s.Length && pos - dayStart < 2 && char.IsAsciiDigit(s[pos]))
        {
            pos++;
        }

        if (pos == dayStart || !TryDigits(s[dayStart..pos], out var day) || pos >= s.Length || s[pos] != ' ')
        {
            return false;
        }

        pos++;
        int? year = null;
        if (s.Length >= pos + 5 && TryDigits(s.Slice(pos, 4), out var y) && s[pos + 4] == ' ')
        {
            year = y;
            pos += 5;
        }

        if (s.Length < pos + 8
            || !TryDigits(s.Slice(pos, 2), out var hour) || s[pos + 2] != ':' || !TryDigits(s.Slice(pos + 3, 2), out var minute)
            || s[pos + 5] != ':' || !TryDigits(s.Slice(pos + 6, 2), out var second))
        {
            return false;
        }

        pos += 8;
        long fractionTicks = 0;
        if (pos + 1 < s.Length && s[pos] == '.' && char.IsAsciiDigit(s[pos + 1]))
        {
            var start = ++pos;
            while (pos < s.Length && pos - start < 9 && char.IsAsciiDigit(s[pos]))
            {
                pos++;
            }

            fractionTicks = FractionTicks(s[start..pos]);
        }

        if (month is < 1 or > 12 || day is < 1 or > 31 || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        time = new BsdTime(year, month, day, new TimeSpan(hour, minute, second) + TimeSpan.FromTicks(fractionTicks));
        length = pos;
        return true;
    }

    /// <summary>
    /// A year-less time placed in the year it was most likely sent: the latest of next year, this year and last year that
    /// is not more than a day after it arrived. So a December time seen in January is last year's, a January time seen on
    /// 31 December (a sender's clock a little ahead) next year's, and a November time seen in June last year's.
    /// </summary>
    public static bool TryPlace(BsdTime time, TimeSpan offset, DateTimeOffset receivedAt, out DateTimeOffset value)
    {
        if (time.Year is { } year)
        {
            return TryBuild(year, time.Month, time.Day, 0, 0, 0, time.TimeOfDay.Ticks, offset, out value);
        }

        value = default;
        for (var candidate = receivedAt.Year + 1; candidate >= receivedAt.Year - 1; candidate--)
        {
            // 29 February exists in some of the candidate years only.
            if (TryBuild(candidate, time.Month, time.Day, 0, 0, 0, time.TimeOfDay.Ticks, offset, out var at) && at <= receivedAt.AddDays(1))
            {
                value = at;
                return true;
            }
        }

        return false;
    }

    /// <summary>Milliseconds since 1970-01-01T00:00:00Z, as digits (an optional minus sign); false outside the calendar.</summary>
    public static bool TryParseEpochMilliseconds(ReadOnlySpan<char> s, out DateTimeOffset value)
    {
        value = default;
        return long.TryParse(s, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var ms)
            && TryFromEpochMilliseconds(ms, out value);
    }

    public static bool TryFromEpochMilliseconds(long ms, out DateTimeOffset value)
    {
        value = default;
        if (ms < MinEpochMs || ms > MaxEpochMs)
        {
            return false;
        }

        value = DateTimeOffset.FromUnixTimeMilliseconds(ms);
        return true;
    }

    /// <summary>A zone after a time: Z, UTC, GMT, ±hh:mm, ±hhmm, ±hh, or GMT/UTC followed by one of those offsets.</summary>
    public static bool TryParseZone(ReadOnlySpan<char> zone, out TimeSpan offset)
    {
        offset = TimeSpan.Zero;
        if (zone is "Z" or "z" || zone.Equals("UTC", StringComparison.OrdinalIgnoreCase) || zone.Equals("GMT", StringComparison.OrdinalIgnoreCase))
        {
            return true;
        }

        if (zone.Length > 3 && (zone.StartsWith("UTC", StringComparison.OrdinalIgnoreCase) || zone.StartsWith("GMT", StringComparison.OrdinalIgnoreCase)))
        {
            zone = zone[3..];
        }

        return TryOffset(zone, strict: false, out offset);
    }

    private static bool TryOffset(ReadOnlySpan<char> zone, bool strict, out TimeSpan offset)
    {
        offset = default;
        if (zone.IsEmpty || zone[0] is not ('+' or '-'))
        {
            return false;
        }

        var sign = zone[0] == '-' ? -1 : 1;
        var rest = zone[1..];
        int hours, minutes = 0;
        if (rest.Length == 5 && rest[2] == ':')
        {
            if (!TryDigits(rest[..2], out hours) || !TryDigits(rest[3..], out minutes))
            {
                return false;
            }
        }
        else if (strict)
        {
            return false;
        }
        else if (rest.Length == 4)
        {
            if (!TryDigits(rest[..2], out hours) || !TryDigits(rest[2..], out minutes))
            {
                return false;
            }
        }
        else if (rest.Length == 2)
        {
            if (!TryDigits(rest, out hours))
            {
                return false;
            }
        }
        else
        {
            return false;
        }

        if (hours > 14 || minutes > 59 || (hours == 14 && minutes > 0))
        {
            return false;
        }

        offset = sign * new TimeSpan(hours, minutes, 0);
        return true;
    }

    private static bool TryBuild(int year, int month, int day, int hour, int minute, int second, long extraTicks, TimeSpan offset, out DateTimeOffset value)
    {
        value = default;
        if (year is < 1 or > 9999 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month)
            || hour > 23 || minute > 59 || second > 59)
        {
            return false;
        }

        var local = new DateTime(year, month, day, hour, minute, second, DateTimeKind.Unspecified).Ticks + extraTicks;
        var utc = local - offset.Ticks;
        if (local > DateTime.MaxValue.Ticks || utc < DateTime.MinValue.Ticks || utc > DateTime.MaxValue.Ticks)
        {
            return false;
        }

        value = new DateTimeOffset(utc, TimeSpan.Zero);
        return true;
    }

    private static int MonthOf(ReadOnlySpan<char> name)
    {
        for (var i = 0; i < Months.Length; i++)
        {
            if (name.SequenceEqual(Months[i]))
            {
                return i + 1;
            }
        }

        return 0;
    }

    private static long FractionTicks(ReadOnlySpan<char> digits)
    {
        long ticks = 0;
        for (var i = 0; i < 7; i++)
        {
            ticks = (ticks * 10) + (i < digits.Length ? digits[i] - '0' : 0);
        }

        return ticks;
    }

    private static bool TryDigits(ReadOnlySpan<char> s, out int value)
    {
        value = 0;
        foreach (var c in s)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = (value * 10) + (c - '0');
        }

        return !s.IsEmpty;
    }
}

/// <summary>A BSD syslog time: month, day and time of day; the year only when the text carried one.</summary>
internal readonly record struct BsdTime(int? Year, int Month, int Day, TimeSpan TimeOfDay);
