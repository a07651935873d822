using Riok.Mapperly.Abstractions;
using ThreatPlatform.Domain.Sensors;

namespace ThreatPlatform.Application.Sensors.Common;

/// <summary>A key as listed: never its secret nor its hash.</summary>
public sealed record ApiKeyDto(
    long Id,
    string Name,
    string Prefix,
    DateTimeOffset CreatedAt,
    DateTimeOffset? ExpiresAt,
    DateTimeOffset? LastUsedAt,
    DateTimeOffset? RevokedAt);

/// <summary>A key just made: the only answer that carries the whole key.</summary>
public sealed record CreatedApiKeyDto(long Id, string Prefix, string Key, DateTimeOffset CreatedAt, DateTimeOffset? ExpiresAt);

/// <summary>Entity to DTO; target-driven so the hash can never reach a response by accident.</summary>
[Mapper(RequiredMappingStrategy = RequiredMappingStrategy.Target)]
public static partial class ApiKeyMapper
{
    public static partial IQueryable<ApiKeyDto> ProjectToDto(this IQueryable<ApiKey> keys);
}
