using ThreatPlatform.Application.Common;
using System.Text.Json;

namespace ThreatPlatform.WebApi.Wire;

/// <summary>JSON that jsonb can store: no property name or string anywhere in it holds text <see cref="StorableText"/> refuses.</summary>
public static class JsonText
{
    public static bool IsStorable(JsonElement element)
    {
        try
        {
            return element.ValueKind switch
            {
                JsonValueKind.Object => element.EnumerateObject().All(p => StorableText.IsStorable(p.Name) && IsStorable(p.Value)),
                JsonValueKind.Array => element.EnumerateArray().All(IsStorable),
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
