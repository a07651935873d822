using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Storage;
using ThreatPlatform.Infrastructure.Persistence;

namespace ThreatPlatform.WebApi.Hosting;

/// <summary>Administrative commands run through the same binary: `migrate`, `create-admin`.</summary>
internal static class Commands
{
    public static bool IsCommand(string[] args) => args.Length > 0 && args[0] is "migrate" or "create-admin";

    public static async Task<int> RunAsync(WebApplication app, string[] args)
    {
        switch (args[0])
        {
            case "migrate":
                await MigrateAsync(app.Services);
                Console.WriteLine("Database is up to date.");
                return 0;
            case "create-admin":
                return await CreateAdminAsync(app.Services, args);
            default:
                Console.Error.WriteLine($"Unknown command '{args[0]}'.");
                return 2;
        }
    }

    private static async Task<int> CreateAdminAsync(IServiceProvider services, string[] args)
    {
        await using var scope = services.CreateAsyncScope();
        var cli = new CreateAdminCli(
            scope.ServiceProvider.GetRequiredService<Mediator.ISender>(),
            Console.In,
            Console.Out,
            Console.Error,
            Console.IsInputRedirected ? null : CreateAdminCli.ReadSecretFromConsole);
        return await cli.RunAsync(args, CancellationToken.None);
    }

    public static async Task MigrateAsync(IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<ApplicationDbContext>();
        // A migration may build an index over a large table: no statement_timeout on its connection. Opening it first
        // needs the database to exist, which Migrate would otherwise see to itself.
        var creator = db.GetService<IRelationalDatabaseCreator>();
        if (!await creator.ExistsAsync())
        {
            await creator.CreateAsync();
        }

        await db.Database.OpenConnectionAsync();
        await db.Database.ExecuteSqlRawAsync("SET statement_timeout = 0");
        await db.Database.MigrateAsync();
    }
}
