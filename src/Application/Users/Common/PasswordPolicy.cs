using System.Reflection;

namespace ThreatPlatform.Application.Users.Common;

/// <summary>
/// The password rules of the original platform (Django's default validators): long enough, not all digits, not the
/// username or the email, not a well-known password. Register and create-admin both apply them.
/// </summary>
public static class PasswordPolicy
{
    public const int MinimumLength = 10;

    /// <summary>Far above any passphrase; bounds the work a single request can ask the hasher for.</summary>
    public const int MaximumLength = 1024;

    /// <summary>A username or email part shorter than this is too likely to occur by chance to refuse passwords containing it.</summary>
    private const int MinimumContainedLength = 3;

    private static readonly Lazy<HashSet<string>> CommonPasswords = new(LoadCommonPasswords);

    /// <summary>How many distinct passwords the common list holds (SecLists' top 10,000 and a few longer variants).</summary>
    public static int CommonPasswordCount => CommonPasswords.Value.Count;

    /// <summary>Every rule the password breaks, as messages for the <c>password</c> field; empty when it is acceptable.</summary>
    public static IReadOnlyList<string> Check(string? password, string? username, string? email)
    {
        if (string.IsNullOrEmpty(password))
        {
            return ["password is required."];
        }

        var problems = new List<string>();
        if (password.Length < MinimumLength)
        {
            problems.Add($"This password is too short. It must contain at least {MinimumLength} characters.");
        }

        if (password.Length > MaximumLength)
        {
            problems.Add($"This password is too long. It must contain at most {MaximumLength} characters.");
        }

        if (password.All(char.IsAsciiDigit))
        {
            problems.Add("This password is entirely numeric.");
        }

        if (IsSimilar(password, username))
        {
            problems.Add("The password is too similar to the username.");
        }
        else if (IsSimilar(password, email) || IsSimilar(password, email?.Split('@')[0]))
        {
            problems.Add("The password is too similar to the email address.");
        }

        if (CommonPasswords.Value.Contains(password.Trim()))
        {
            problems.Add("This password is too common.");
        }

        return problems;
    }

    private static bool IsSimilar(string password, string? attribute)
    {
        var value = attribute?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return false;
        }

        return string.Equals(password, value, StringComparison.OrdinalIgnoreCase)
            || (value.Length >= MinimumContainedLength && password.Contains(value, StringComparison.OrdinalIgnoreCase));
    }

    private static HashSet<string> LoadCommonPasswords()
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream("ThreatPlatform.Application.CommonPasswords")
            ?? throw new InvalidOperationException("The embedded common-passwords list is missing from the build.");
        using var reader = new StreamReader(stream);
        var passwords = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        while (reader.ReadLine() is { } line)
        {
            var entry = line.Trim();
            if (entry.Length > 0 && !entry.StartsWith('#'))
            {
                passwords.Add(entry);
            }
        }

        return passwords;
    }
}
