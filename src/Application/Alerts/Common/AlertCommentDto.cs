using System.Text.Json.Serialization;

namespace ThreatPlatform.Application.Alerts.Common;

/// <summary>A comment on an alert, as plain text.</summary>
public sealed record AlertCommentDto(long Id, UserRefDto Author, string Body, DateTimeOffset CreatedAt) : IAlertVersioned
{
    /// <summary>The alert's row version after the comment was added (the ETag of the answer to POST); not in the body.</summary>
    [JsonIgnore]
    public uint AlertVersion { get; init; }
}
