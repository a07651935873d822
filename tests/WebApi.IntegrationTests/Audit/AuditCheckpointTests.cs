using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.Audit;

public sealed class AuditCheckpointTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    [Fact]
    public async Task Two_replicas_append_signed_checkpoints_to_one_file_and_verify_checks_against_the_newest()
    {
        await using var replica = factory.OnSameDatabase();
        await (await factory.CreateClientFrom("192.0.2.71").LoginAsync(AuthApi.NewUsername("cp"), "a wrong password")).ShouldBeProblemAsync(401);
        await (await replica.CreateClientFrom("192.0.2.72").LoginAsync(AuthApi.NewUsername("cp"), "a wrong password")).ShouldBeProblemAsync(401);
        var admin = await factory.CreateClientAsAsync(UserRole.Admin);

        var head = await factory.WithDbAsync(db => db.AuditEntries.OrderByDescending(a => a.Id).Select(a => new { a.Id, a.Hash }).FirstAsync());
        var lines = (await File.ReadAllLinesAsync(factory.AuditCheckpointPath)).Select(line => JsonDocument.Parse(line).RootElement).ToList();

        lines.Select(l => l.GetProperty("id").GetInt64()).Should().Equal(head.Id - 1, head.Id);
        lines.Should().OnlyContain(l => l.GetProperty("mac").GetString()!.Length == 64);
        lines[^1].GetProperty("hash").GetString().Should().Be(head.Hash);
        (await admin.VerifyInFullAsync()).Should().Be((true, head.Id, (long?)null, (string?)null, (long?)head.Id));
        (await (await replica.CreateClientAsAsync(UserRole.Admin)).VerifyInFullAsync()).CheckpointId.Should().Be(head.Id);
    }
}
