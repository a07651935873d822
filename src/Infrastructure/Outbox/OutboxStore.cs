using System.Text.Json;
using Npgsql;
using ThreatPlatform.Domain.Notifications;
using ThreatPlatform.Infrastructure.Persistence.Schema;

namespace ThreatPlatform.Infrastructure.Outbox;

/// <summary>A delivery claimed for sending, with what sending it needs.</summary>
internal sealed record ClaimedDelivery(
    long Id,
    long? ChannelId,
    long? RuleId,
    long? AlertId,
    string Event,
    int Attempts,
    DateTimeOffset QueuedAt,
    long? RecipientUserId,
    DateTimeOffset? DigestAt);

/// <summary>A channel as the dispatcher reads it: the one place the secret is read.</summary>
internal sealed record ChannelTarget(long Id, ChannelKind Kind, bool IsActive, ChannelConfig Config, string? Secret);

/// <summary>
/// The outbox's reads and writes, in raw Npgsql: the claim is one UPDATE over a FOR UPDATE SKIP LOCKED selection,
/// which LINQ cannot say, and the outcomes are set-based.
/// </summary>
internal sealed class OutboxStore(NpgsqlDataSource dataSource)
{
    private static readonly JsonSerializerOptions ConfigJson = new(JsonSerializerDefaults.Web) { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    /// <summary>
    /// Claims up to <paramref name="limit"/> due deliveries: each gets one more attempt and is not due again until the
    /// lease ends, so another dispatcher (another replica) skips it now and takes it over only if this one never records
    /// an outcome (it died mid-send). While it is being sent it is PENDING again (FAILED means "waiting to retry"). A fresh delivery is due at once whatever the clocks say; a retry or a digest when
    /// its time comes by this process's clock.
    /// </summary>
    public async Task<IReadOnlyList<ClaimedDelivery>> ClaimAsync(
        DateTimeOffset now, int limit, TimeSpan lease, IReadOnlyCollection<long> skipChannels, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            """
            WITH due AS (
                SELECT id FROM notification_deliveries
                WHERE status IN (1, 3) AND (next_attempt_at <= $1 OR (attempts = 0 AND digest_at IS NULL))
                  AND (channel_id IS NULL OR NOT (channel_id = ANY($4)))
                ORDER BY next_attempt_at, id
                LIMIT $2
                FOR UPDATE SKIP LOCKED
            )
            UPDATE notification_deliveries d SET status = 1, attempts = d.attempts + 1, next_attempt_at = $1 + $3
            FROM due WHERE d.id = due.id
            RETURNING d.id, d.channel_id, d.rule_id, d.alert_id, d.event, d.attempts, d.queued_at, d.recipient_user_id, d.digest_at
            """);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        command.Parameters.Add(new NpgsqlParameter<int> { TypedValue = limit });
        command.Parameters.Add(new NpgsqlParameter<TimeSpan> { TypedValue = lease });
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. skipChannels] });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var claimed = new List<ClaimedDelivery>();
        while (await reader.ReadAsync(cancellationToken))
        {
            claimed.Add(new ClaimedDelivery(
                reader.GetInt64(0),
                reader.IsDBNull(1) ? null : reader.GetInt64(1),
                reader.IsDBNull(2) ? null : reader.GetInt64(2),
                reader.IsDBNull(3) ? null : reader.GetInt64(3),
                reader.GetString(4),
                reader.GetInt32(5),
                reader.GetFieldValue<DateTimeOffset>(6),
                reader.IsDBNull(7) ? null : reader.GetInt64(7),
                reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8)));
        }

        return claimed;
    }

    public async Task<IReadOnlyDictionary<long, ChannelTarget>> ChannelsAsync(IEnumerable<long> ids, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT id, kind, is_active, config::text, secret FROM notification_channels WHERE id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. ids.Distinct()] });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var channels = new Dictionary<long, ChannelTarget>();
        while (await reader.ReadAsync(cancellationToken))
        {
            var id = reader.GetInt64(0);
            channels[id] = new ChannelTarget(
                id,
                (ChannelKind)reader.GetInt16(1),
                reader.GetBoolean(2),
                JsonSerializer.Deserialize<ChannelConfig>(reader.GetString(3), ConfigJson)!,
                reader.IsDBNull(4) ? null : reader.GetString(4));
        }

        return channels;
    }

    public async Task<IReadOnlyDictionary<long, string>> EmailsAsync(IEnumerable<long> userIds, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand("SELECT id, email FROM users WHERE id = ANY($1) AND is_active");
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. userIds.Distinct()] });
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        var emails = new Dictionary<long, string>();
        while (await reader.ReadAsync(cancellationToken))
        {
            emails[reader.GetInt64(0)] = reader.GetString(1);
        }

        return emails;
    }

    /// <summary>Hands claimed deliveries back unsent, due as they were and without the attempt their claim added.</summary>
    public async Task ReleaseAsync(IReadOnlyList<long> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE notification_deliveries SET attempts = attempts - 1, next_attempt_at = $2 WHERE id = ANY($1) AND status = 1");
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. ids] });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    public async Task SentAsync(IReadOnlyList<long> ids, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE notification_deliveries SET status = 2, sent_at = $2, last_error = NULL, next_attempt_at = $2 WHERE id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. ids] });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>A failed attempt: FAILED and due again at <paramref name="retryAt"/>, or DEAD when <paramref name="retryAt"/> is null.</summary>
    public async Task FailedAsync(IReadOnlyList<long> ids, string error, DateTimeOffset? retryAt, DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "UPDATE notification_deliveries SET status = $2, last_error = $3, next_attempt_at = $4 WHERE id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter<long[]> { TypedValue = [.. ids] });
        command.Parameters.Add(new NpgsqlParameter<short> { TypedValue = (short)(retryAt is null ? DeliveryStatus.Dead : DeliveryStatus.Failed) });
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = error.Length > NotificationDelivery.LastErrorMaxLength ? error[..NotificationDelivery.LastErrorMaxLength] : error });
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = retryAt ?? now });
        await command.ExecuteNonQueryAsync(cancellationToken);
    }

    /// <summary>Deliveries not yet sent and the age of the oldest, in seconds (served by ix_notification_deliveries_due).</summary>
    public async Task<(long Depth, double OldestSeconds)> QueueAsync(CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(
            "SELECT count(*), coalesce(extract(epoch FROM clock_timestamp() - min(queued_at)), 0)::float8 FROM notification_deliveries WHERE status IN (1, 3)");
        await using var reader = await command.ExecuteReaderAsync(cancellationToken);
        await reader.ReadAsync(cancellationToken);
        return (reader.GetInt64(0), reader.GetDouble(1));
    }

    /// <summary>The SLA sweep (see <see cref="NotificationOutboxSql.Sweep"/>); answers the deliveries it queued.</summary>
    public async Task<int> SweepSlaBreachesAsync(DateTimeOffset now, CancellationToken cancellationToken)
    {
        await using var command = dataSource.CreateCommand(NotificationOutboxSql.Sweep);
        command.Parameters.Add(new NpgsqlParameter<DateTimeOffset> { TypedValue = now });
        return (int)(await command.ExecuteScalarAsync(cancellationToken) ?? 0);
    }
}
