using System.Runtime.InteropServices;
using System.Text.Json;
using System.Text.Unicode;
using ThreatPlatform.Application.Common;

namespace ThreatPlatform.WebApi.Wire;

/// <summary>JSON that jsonb can store: no property name or string anywhere in it holds text <see cref="StorableText"/> refuses.</summary>
public static class JsonText
{
    public static bool IsStorable(JsonElement element)
    {
        // JSON as received with no escape in it, in valid UTF-8, cannot hold a NUL (raw control characters are not JSON)
        // or a lone surrogate (UTF-8 cannot encode one): the common case, answered without reading a string.
        var raw = JsonMarshal.GetRawUtf8Value(element);
        return (!raw.Contains((byte)'\\') && Utf8.IsValid(raw)) || IsStorableText(element);
    }

    private static bool IsStorableText(JsonElement element)
    {
        try
        {
            return element.ValueKind switch
            {
                JsonValueKind.Object => element.EnumerateObject().All(p => StorableText.IsStorable(p.Name) && IsStorableText(p.Value)),
                JsonValueKind.Array => element.EnumerateArray().All(IsStorableText),
                JsonValueKind.String => StorableText.IsStorable(element.GetString()!),
                _ => true,
            };
        }
        catch (InvalidOperationException)
        {
            // An escape that is not valid UTF-16 text cannot be read back as a string at all.
            return false;
        }
    }
}
