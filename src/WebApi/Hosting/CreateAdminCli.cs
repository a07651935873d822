using System.Text;
using Mediator;
using Npgsql;
using ThreatPlatform.Application.Common.Exceptions;
using ThreatPlatform.Application.Users.CreateAdmin;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.WebApi.Common;

namespace ThreatPlatform.WebApi.Hosting;

/// <summary>
/// `create-admin --username NAME --email EMAIL [--password-stdin]`: creates an ADMIN under the register rules. The
/// password is the first line of standard input with --password-stdin, or when there is no terminal to prompt at (no
/// promptSecret: a pipe, a script, a container); else it is asked twice at a prompt without echo.
/// Exit codes: 0 created, 1 refused (taken, weak or mistyped password, database not ready), 2 usage.
/// </summary>
internal sealed class CreateAdminCli(ISender sender, TextReader input, TextWriter output, TextWriter error, Func<string, string?>? promptSecret)
{
    public const string Usage = "usage: create-admin --username NAME --email EMAIL [--password-stdin]";

    public async Task<int> RunAsync(IReadOnlyList<string> args, CancellationToken cancellationToken)
    {
        if (!TryParse(args, out var username, out var email, out var passwordFromStdin, out var problem))
        {
            await error.WriteLineAsync(problem);
            await error.WriteLineAsync(Usage);
            return 2;
        }

        var fromStdin = passwordFromStdin || promptSecret is null;
        var password = fromStdin ? await input.ReadLineAsync(cancellationToken) : AskTwice(promptSecret!);
        if (password is null)
        {
            if (fromStdin)
            {
                await error.WriteLineAsync("No password on standard input.");
            }

            return 1;
        }

        try
        {
            var admin = await sender.Send(new CreateAdminCommand(username, email, password), cancellationToken);
            await output.WriteLineAsync($"Admin '{admin.Username}' created (id {admin.Id}).");
            return 0;
        }
        catch (RequestValidationException invalid)
        {
            foreach (var (field, messages) in invalid.Errors)
            {
                foreach (var message in messages)
                {
                    await error.WriteLineAsync($"{field}: {message}");
                }
            }

            return 1;
        }
        catch (Conflict conflict)
        {
            await error.WriteLineAsync($"{(conflict.Member is { } member ? ProblemDetailsExceptionHandler.WireField(member) : "error")}: {conflict.Message}");
            return 1;
        }
        catch (PostgresException db) when (db.SqlState == PostgresErrorCodes.UndefinedTable)
        {
            await error.WriteLineAsync("The database is not migrated: run `make migrate` (or `dotnet ThreatPlatform.WebApi.dll migrate`) first.");
            return 1;
        }
        catch (NpgsqlException db)
        {
            await error.WriteLineAsync($"Cannot use the database: {db.Message}");
            return 1;
        }
    }

    private string? AskTwice(Func<string, string?> promptSecret)
    {
        var first = promptSecret("Password: ");
        var second = promptSecret("Password (again): ");
        if (first is null || second is null)
        {
            error.WriteLine("No password given.");
            return null;
        }

        if (!string.Equals(first, second, StringComparison.Ordinal))
        {
            error.WriteLine("The two passwords differ.");
            return null;
        }

        return first;
    }

    private static bool TryParse(IReadOnlyList<string> args, out string? username, out string? email, out bool passwordFromStdin, out string problem)
    {
        username = null;
        email = null;
        passwordFromStdin = false;
        problem = string.Empty;
        for (var i = 0; i < args.Count; i++)
        {
            var (name, inlineValue) = args[i].Split('=', 2) is [var n, var v] && n.StartsWith("--", StringComparison.Ordinal) ? (n, v) : (args[i], null);
            switch (name)
            {
                case "create-admin" when i == 0:
                    break;
                case "--password-stdin":
                    passwordFromStdin = true;
                    break;
                case "--username" or "--email":
                    var value = inlineValue ?? (i + 1 < args.Count ? args[++i] : null);
                    if (value is null)
                    {
                        problem = $"{name} needs a value.";
                        return false;
                    }

                    if (name == "--username")
                    {
                        username = value;
                    }
                    else
                    {
                        email = value;
                    }

                    break;
                default:
                    problem = $"Unknown argument '{args[i]}'.";
                    return false;
            }
        }

        if (username is null || email is null)
        {
            problem = "--username and --email are required.";
            return false;
        }

        return true;
    }

    /// <summary>Reads a line from the terminal without echoing it; null when standard input is not a terminal.</summary>
    public static string? ReadSecretFromConsole(string prompt)
    {
        if (Console.IsInputRedirected)
        {
            return null;
        }

        Console.Error.Write(prompt);
        var secret = new StringBuilder();
        while (true)
        {
            var key = Console.ReadKey(intercept: true);
            if (key.Key == ConsoleKey.Enter)
            {
                Console.Error.WriteLine();
                return secret.ToString();
            }

            if (key.Key == ConsoleKey.Backspace)
            {
                if (secret.Length > 0)
                {
                    secret.Length--;
                }
            }
            else if (!char.IsControl(key.KeyChar))
            {
                secret.Append(key.KeyChar);
            }
        }
    }
}
