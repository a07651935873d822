using System.Reflection;
using System.Text.RegularExpressions;

namespace ThreatPlatform.WebApi.IntegrationTests.Foundation;

/// <summary>
/// The documentation stays true to the tree it ships in: every relative link in README.md and docs/ resolves (file and
/// heading), and every setting the code binds has a row in docs/operations.md under its environment-variable name.
/// </summary>
public sealed partial class DocumentationTests
{
    private const string OperationsGuide = "docs/operations.md";

    private static readonly string[] SourceAssemblies =
        ["ThreatPlatform.Domain", "ThreatPlatform.Application", "ThreatPlatform.Infrastructure", "ThreatPlatform.WebApi"];

    [Fact]
    public void Every_relative_link_in_the_readme_and_the_docs_folder_resolves()
    {
        var root = RepositoryRoot();
        var pages = new[] { Path.Combine(root, "README.md") }
            .Concat(Directory.EnumerateFiles(Path.Combine(root, "docs"), "*.md", SearchOption.AllDirectories));

        var broken = pages.SelectMany(page => BrokenLinks(root, page)).ToList();

        string.Join(Environment.NewLine, broken).Should().BeEmpty("a reader following a link must land on a file and, with an #anchor, on a heading of it");
    }

    [Fact]
    public void Every_setting_the_code_binds_appears_in_the_operations_guide()
    {
        var root = RepositoryRoot();
        var guide = File.ReadAllText(Path.Combine(root, OperationsGuide));

        var missing = BoundSettings(root).Where(setting => !Mentions(guide, setting)).Order(StringComparer.Ordinal).ToList();

        string.Join(Environment.NewLine, missing).Should().BeEmpty($"an operator looks a setting up in {OperationsGuide} by its environment-variable name");
    }

    [Fact]
    public void The_settings_the_code_binds_are_found_through_options_classes_setting_constants_and_literal_keys()
    {
        var settings = BoundSettings(RepositoryRoot());

        settings.Should().Contain(
            [
                "Jwt__SigningKey",                      // an options class bound to its own section
                "RateLimiting__User__Burst",            // a nested options object
                "RateLimiting__MaxConcurrentBatches",   // an options class bound to another class's section
                "Sla__Medium__AckMinutes",              // a nullable nested object
                "ConnectionStrings__Default",           // a setting constant already in environment form
                "Metrics__AllowedNetworks",             // a setting constant in configuration form
                "ForwardedHeaders__KnownProxies",       // an array of an options class
                "AllowedHosts",                         // a root key named by its options class's setting constant
                "Serilog__WriteTo",                     // a literal key read from the configuration
                "OTEL_EXPORTER_OTLP_ENDPOINT",          // an indexer with a literal key
            ],
            "the check must not pass by finding nothing");
    }

    [Fact]
    public void A_link_to_a_missing_file_or_heading_is_reported_and_links_inside_code_are_not()
    {
        var root = Directory.CreateTempSubdirectory("tp-docs-").FullName;
        try
        {
            Directory.CreateDirectory(Path.Combine(root, "docs"));
            File.WriteAllText(Path.Combine(root, "docs", "target.md"), "# Target page\n\n## Rate limits (per process)\n");
            var page = Path.Combine(root, "README.md");
            File.WriteAllText(page, string.Join('\n',
                "[fine](docs/target.md) [fine too](docs/target.md#rate-limits-per-process) [web](https://example.org/x)",
                "[gone](docs/missing.md) [no heading](docs/target.md#retention) [here](#nowhere)",
                "`[code](docs/also-missing.md)`",
                "```",
                "[fenced](docs/fenced-missing.md)",
                "```",
                "## Here"));

            var broken = BrokenLinks(root, page).ToList();

            broken.Should().BeEquivalentTo(
                "README.md: docs/missing.md (no such file)",
                "README.md: docs/target.md#retention (no such heading)",
                "README.md: #nowhere (no such heading)");
        }
        finally
        {
            Directory.Delete(root, recursive: true);
        }
    }

    [Fact]
    public void The_readme_is_a_front_page_of_at_most_200_lines()
    {
        var lines = File.ReadAllLines(Path.Combine(RepositoryRoot(), "README.md")).Length;

        lines.Should().BeLessThanOrEqualTo(200, "the README says what this is and how to start; the rest lives in docs/");
    }

    private static IEnumerable<string> BrokenLinks(string root, string page)
    {
        var name = Path.GetRelativePath(root, page).Replace('\\', '/');
        foreach (var target in Links(File.ReadAllText(page)))
        {
            if (UriScheme().IsMatch(target))
            {
                continue;
            }

            var hash = target.IndexOf('#', StringComparison.Ordinal);
            var file = hash < 0 ? target : target[..hash];
            var anchor = hash < 0 ? null : target[(hash + 1)..];
            var path = file.Length == 0 ? page : Path.GetFullPath(Path.Combine(Path.GetDirectoryName(page)!, Uri.UnescapeDataString(file)));
            if (!File.Exists(path) && !Directory.Exists(path))
            {
                yield return $"{name}: {target} (no such file)";
            }
            else if (anchor is not null && path.EndsWith(".md", StringComparison.OrdinalIgnoreCase)
                && !Anchors(File.ReadAllText(path)).Contains(anchor))
            {
                yield return $"{name}: {target} (no such heading)";
            }
        }
    }

    /// <summary>Link targets of inline links and images, outside fenced code blocks and code spans.</summary>
    private static IEnumerable<string> Links(string markdown)
    {
        var inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
                continue;
            }

            if (inFence)
            {
                continue;
            }

            foreach (Match link in InlineLink().Matches(CodeSpan().Replace(line, "")))
            {
                yield return link.Groups["target"].Value.Trim('<', '>');
            }
        }
    }

    /// <summary>GitHub's heading anchors: lower case, punctuation dropped, spaces as hyphens, repeats numbered.</summary>
    private static HashSet<string> Anchors(string markdown)
    {
        var anchors = new HashSet<string>(StringComparer.Ordinal);
        var inFence = false;
        foreach (var line in markdown.Split('\n'))
        {
            if (line.TrimStart().StartsWith("```", StringComparison.Ordinal))
            {
                inFence = !inFence;
            }
            else if (!inFence && Heading().Match(line) is { Success: true } heading)
            {
                var slug = AnchorPunctuation().Replace(heading.Groups["text"].Value.Trim().ToLowerInvariant(), "").Replace(' ', '-');
                var unique = slug;
                for (var n = 1; !anchors.Add(unique); n++)
                {
                    unique = $"{slug}-{n}";
                }
            }
        }

        return anchors;
    }

    /// <summary>
    /// Every configuration key the code reads, in environment-variable form (<c>Section__Key</c>): the public settable
    /// properties of each options class bound with <c>AddOptions&lt;T&gt;().Bind(configuration.GetSection(X.Section))</c>
    /// (nested objects too), the values of <c>…Setting</c> constants, and literal keys given to <c>GetValue</c>,
    /// <c>GetSection</c>, <c>GetConnectionString</c> or the configuration's indexer (relative to the file's
    /// <c>Section</c> constant when read from a section).
    /// </summary>
    private static HashSet<string> BoundSettings(string root)
    {
        var types = SourceAssemblies
            .SelectMany(assembly => Assembly.Load(assembly).GetTypes())
            .ToList();
        var settings = new HashSet<string>(StringComparer.Ordinal);
        foreach (var constant in types.SelectMany(t => t.GetFields(BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Static))
                     .Where(f => f.IsLiteral && f.FieldType == typeof(string) && f.Name.EndsWith("Setting", StringComparison.Ordinal)))
        {
            settings.Add(EnvironmentForm((string)constant.GetRawConstantValue()!));
        }

        foreach (var source in Directory.EnumerateFiles(Path.Combine(root, "src"), "*.cs", SearchOption.AllDirectories)
                     .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Migrations{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
                         && !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal)))
        {
            var text = File.ReadAllText(source);
            foreach (Match binding in OptionsBinding().Matches(text))
            {
                var options = types.Single(t => t.Name == binding.Groups["type"].Value);
                var owner = types.Single(t => t.Name == binding.Groups["owner"].Value);
                var section = (string)owner.GetField("Section")!.GetRawConstantValue()!;
                AddProperties(settings, section, options);
            }

            var fileSection = SectionConstant().Match(text) is { Success: true } s ? s.Groups["section"].Value : null;
            foreach (Match read in LiteralKey().Matches(text))
            {
                var key = read.Groups["key"].Value;
                var fromConfiguration = read.Groups["receiver"].Value.EndsWith("onfiguration", StringComparison.Ordinal);
                var setting = read.Groups["method"].Value == "GetConnectionString" ? $"ConnectionStrings:{key}"
                    : fromConfiguration || fileSection is null ? key
                    : $"{fileSection}:{key}";
                settings.Add(EnvironmentForm(setting));
            }
        }

        return settings;
    }

    private static void AddProperties(HashSet<string> settings, string prefix, Type options)
    {
        foreach (var property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance).Where(p => p.SetMethod?.IsPublic == true))
        {
            var key = $"{prefix}__{property.Name}";
            var type = Nullable.GetUnderlyingType(property.PropertyType) ?? property.PropertyType;
            if (type.IsClass && type != typeof(string) && type.Namespace?.StartsWith("ThreatPlatform", StringComparison.Ordinal) == true)
            {
                AddProperties(settings, key, type);
            }
            else
            {
                settings.Add(key);
            }
        }
    }

    private static string EnvironmentForm(string key) => key.Replace(":", "__", StringComparison.Ordinal);

    /// <summary>The setting's name as a whole word: a longer key it starts (its array items, its children) counts.</summary>
    private static bool Mentions(string guide, string setting) =>
        Regex.IsMatch(guide, $@"(?<![A-Za-z0-9_]){Regex.Escape(setting)}(?![A-Za-z0-9])");

    private static string RepositoryRoot()
    {
        var directory = new DirectoryInfo(AppContext.BaseDirectory);
        while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "ThreatPlatform.sln")))
        {
            directory = directory.Parent;
        }

        return directory?.FullName ?? throw new InvalidOperationException("ThreatPlatform.sln not found above the test binaries.");
    }

    [GeneratedRegex(@"!?\[[^\]]*\]\((?<target>[^)\s]+)(?:\s+""[^""]*"")?\)")]
    private static partial Regex InlineLink();

    [GeneratedRegex(@"`[^`]*`")]
    private static partial Regex CodeSpan();

    [GeneratedRegex(@"^[a-zA-Z][a-zA-Z0-9+.-]*:")]
    private static partial Regex UriScheme();

    [GeneratedRegex(@"^#{1,6}\s+(?<text>.+?)\s*#*\s*$")]
    private static partial Regex Heading();

    [GeneratedRegex(@"[^\p{L}\p{Nd}\s_-]")]
    private static partial Regex AnchorPunctuation();

    [GeneratedRegex(@"AddOptions<(?<type>\w+)>\(\)\s*\.Bind\(\s*\w+\.GetSection\(\s*(?<owner>\w+)\.Section\s*\)\s*\)")]
    private static partial Regex OptionsBinding();

    [GeneratedRegex(@"const string Section = ""(?<section>[^""]+)""")]
    private static partial Regex SectionConstant();

    [GeneratedRegex(@"(?<receiver>\w*(?:onfiguration|ection))(?:\.(?<method>GetValue|GetSection|GetConnectionString)(?:<[^>(]+>)?\(\s*|\[)""(?<key>[^""]+)""")]
    private static partial Regex LiteralKey();
}
