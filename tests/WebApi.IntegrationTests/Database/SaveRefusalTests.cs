using Npgsql;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Infrastructure.Persistence.Schema;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Database;

/// <summary>
/// Application code sees a unique index's refusal only as a <see cref="SaveResult"/>; the index names it stands for live in
/// Infrastructure (<see cref="UniqueIndexes"/>) and must name indexes the migrations really create.
/// </summary>
public sealed class SaveRefusalTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Theory]
    [InlineData(UniqueIndexes.EventExternalId, SaveResult.DuplicateExternalId)]
    [InlineData(UniqueIndexes.CollectingAlertFingerprint, SaveResult.CollectingFingerprintTaken)]
    public async Task A_refusal_by_an_index_a_use_case_reacts_to_reads_as_its_own_result(string index, SaveResult expected)
    {
        (await IndexExistsAsync(index)).Should().BeTrue($"the migrations create the unique index {index}");

        UniqueIndexes.RefusalBy(index).Should().Be(expected);
    }

    [Fact]
    public async Task A_refusal_by_any_other_unique_index_reads_as_a_taken_value()
    {
        const string username = "ix_users_normalized_username";
        (await IndexExistsAsync(username)).Should().BeTrue();

        UniqueIndexes.RefusalBy(username).Should().Be(SaveResult.ValueTaken);
        UniqueIndexes.RefusalBy(null).Should().Be(SaveResult.ValueTaken);
    }

    private async Task<bool> IndexExistsAsync(string name)
    {
        await using var connection = new NpgsqlConnection(factory.ConnectionString);
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand("SELECT EXISTS (SELECT FROM pg_class WHERE relname = $1 AND relkind IN ('i', 'I'))", connection);
        command.Parameters.Add(new NpgsqlParameter<string> { TypedValue = name });
        return (bool)(await command.ExecuteScalarAsync())!;
    }
}
