namespace ThreatPlatform.Application.Common;

/// <summary>
/// Text PostgreSQL can store: no NUL (text and jsonb refuse U+0000) and no lone UTF-16 surrogate (not encodable as
/// UTF-8). Checked at the edge, so such input is a 400 naming its field rather than a database error.
/// </summary>
public static class StorableText
{
    public static bool IsStorable(string text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsHighSurrogate(c))
            {
                if (i + 1 >= text.Length || !char.IsLowSurrogate(text[i + 1]))
                {
                    return false;
                }

                i++;
            }
            else if (char.IsLowSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    public static string Message(string field) =>
        $"{field} contains characters that cannot be stored (NUL or an unpaired surrogate).";
}
