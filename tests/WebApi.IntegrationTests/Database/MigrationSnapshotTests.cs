using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Metadata;
using Microsoft.EntityFrameworkCore.Migrations;
using ThreatPlatform.Infrastructure.Persistence;

namespace ThreatPlatform.WebApi.IntegrationTests.Database;

/// <summary>
/// The migrations' model snapshot describes the model as it is. A relational difference fails every migrated test
/// database (pending model changes); a navigation is no column, so a stale one is caught only here.
/// </summary>
public sealed class MigrationSnapshotTests
{
    [Fact]
    public void The_model_snapshot_names_the_navigations_the_model_has()
    {
        using var db = new DesignTimeDbContextFactory().CreateDbContext([]);
        var snapshot = db.GetService<IMigrationsAssembly>().ModelSnapshot
            ?? throw new InvalidOperationException("The migrations assembly has no model snapshot.");

        var model = Navigations(db.GetService<IDesignTimeModel>().Model);
        var snapshotted = Navigations(snapshot.Model);

        model.Should().NotBeEmpty();
        snapshotted.Except(model).Should().BeEmpty("the snapshot names no navigation the model does not have");
        model.Except(snapshotted).Should().BeEmpty("the snapshot names every navigation the model has");
    }

    // An owned type is named after its owner's navigation in the snapshot ("Alert.History#AlertHistoryEntry") and
    // after its class in the model: both by the class here.
    private static string Name(IReadOnlyTypeBase type) => type.Name[(type.Name.IndexOf('#', StringComparison.Ordinal) + 1)..];

    private static List<string> Navigations(IReadOnlyModel model) =>
        [.. model.GetEntityTypes()
            .SelectMany(type => type.GetNavigations().Cast<IReadOnlyNavigationBase>().Concat(type.GetSkipNavigations())
                .Select(navigation => $"{Name(type)}.{navigation.Name}"))
            .Order(StringComparer.Ordinal)];
}
