using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace ThreatPlatform.WebApi.Common;

/// <summary>
/// Writes timestamps as ISO 8601 UTC with a `Z` (as the contract says), to the microsecond PostgreSQL keeps, so a value
/// answered before and after a round trip through the database reads the same. Reads any ISO 8601 offset.
/// </summary>
internal sealed class UtcDateTimeOffsetConverter : JsonConverter<DateTimeOffset>
{
    public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
        reader.GetDateTimeOffset();

    public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFF'Z'", CultureInfo.InvariantCulture));
}
