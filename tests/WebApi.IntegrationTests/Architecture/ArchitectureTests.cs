using System.Reflection;
using ThreatPlatform.Application.Common;
using ThreatPlatform.Domain.Common;
using ThreatPlatform.Infrastructure.Persistence;

namespace ThreatPlatform.WebApi.IntegrationTests.Architecture;

/// <summary>
/// The layers point inwards (WebApi → Infrastructure → Application → Domain, never back), and inside each project the
/// feature namespaces one level below its root (<c>ThreatPlatform.Domain.Alerts</c>) reference each other without a
/// cycle, so each can be read, tested and changed from its own folder outwards. Read from the compiled assemblies: the
/// types in signatures and the types method bodies use (docs/architecture.md).
/// </summary>
public sealed class ArchitectureTests
{
    private static readonly Assembly Domain = typeof(Entity).Assembly;
    private static readonly Assembly Application = typeof(WireEnum).Assembly;
    private static readonly Assembly Infrastructure = typeof(ApplicationDbContext).Assembly;
    private static readonly Assembly WebApi = typeof(Program).Assembly;

    /// <summary>Each layer and the layers it may use.</summary>
    private static readonly Dictionary<Assembly, Assembly[]> Allowed = new()
    {
        [Domain] = [],
        [Application] = [Domain],
        [Infrastructure] = [Application, Domain],
        [WebApi] = [Infrastructure, Application, Domain],
    };

    /// <summary>
    /// The cycles still to break (issue #23, item 2), each as its namespaces' last parts: the test fails on any other
    /// cycle, on one of these growing, and on one of these gone (take it off the list, so that it stays gone).
    /// </summary>
    private static readonly Dictionary<string, string[]> CyclesToBreak = new()
    {
    };

    public static TheoryData<string> Projects => ["Domain", "Application", "Infrastructure", "WebApi"];

    [Theory]
    [MemberData(nameof(Projects))]
    public void The_namespaces_inside_a_project_reference_each_other_without_a_new_cycle(string project)
    {
        var assembly = Allowed.Keys.Single(a => a.GetName().Name == $"ThreatPlatform.{project}");
        var known = CyclesToBreak.GetValueOrDefault(project, []);

        var cycles = NamespaceGraph.Of(assembly, Path.Combine(RepositoryRoot(), "src", project)).Cycles();

        string.Join(Environment.NewLine + Environment.NewLine, cycles.Where(c => !known.Contains(c.Key)).Select(c => c.Value))
            .Should().BeEmpty($"a namespace of {project} that uses another must not be used by it, directly or through others");
        known.Except(cycles.Keys).Should().BeEmpty($"a cycle broken in {project} comes off {nameof(CyclesToBreak)}, so that it stays broken");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void A_layer_references_only_the_layers_inside_it(string project)
    {
        var assembly = Allowed.Keys.Single(a => a.GetName().Name == $"ThreatPlatform.{project}");
        var forbidden = Allowed.Keys.Except(Allowed[assembly]).Where(a => a != assembly).ToHashSet();

        var outward = LoadableTypes(assembly)
            .SelectMany(type => TypeReferences.Of(type)
                .Where(used => forbidden.Contains(used.Assembly))
                .Select(used => $"{Name(type)} uses {Name(used)} ({used.Assembly.GetName().Name})"))
            .Distinct()
            .Order(StringComparer.Ordinal)
            .ToList();

        string.Join(Environment.NewLine, outward).Should().BeEmpty(
            $"{project} may use only {string.Join(", ", Allowed[assembly].Select(a => a.GetName().Name))}");
    }

    internal static IEnumerable<Type> LoadableTypes(Assembly assembly)
    {
        try
        {
            return assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException e)
        {
            return e.Types.OfType<Type>();
        }
    }

    private static string RepositoryRoot()
    {
        var folder = new DirectoryInfo(AppContext.BaseDirectory);
        while (folder is not null && !File.Exists(Path.Combine(folder.FullName, "ThreatPlatform.sln")))
        {
            folder = folder.Parent;
        }

        return folder?.FullName ?? throw new InvalidOperationException("ThreatPlatform.sln not found above the test binaries");
    }

    internal static string Name(Type type) => (type.FullName ?? type.Name).Split('`')[0];
}
