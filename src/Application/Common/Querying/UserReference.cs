namespace ThreatPlatform.Application.Common.Querying;

/// <summary>
/// A user named by a list filter: a user id, or nobody (<see cref="Id"/> null). WebApi reads <c>me</c> (the caller),
/// <c>none</c> or an id from the query string.
/// </summary>
public sealed record UserReference(long? Id)
{
    public const string Me = "me";
    public const string None = "none";
}
