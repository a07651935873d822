using System.Reflection;
using System.Text.RegularExpressions;

namespace ThreatPlatform.WebApi.IntegrationTests.Architecture;

/// <summary>
/// Which feature namespace of one project uses which: a node is the namespace one level below the project's root
/// (<c>ThreatPlatform.Domain.Alerts</c> holds <c>ThreatPlatform.Domain.Alerts.X</c> too), an edge remembers one type
/// reference that makes it, so a cycle can be reported with the code that closes it. The compiled types show what the
/// code uses; the source files' <c>using</c> directives add what compiles away (a <c>const</c> is copied into its users).
/// </summary>
internal sealed partial class NamespaceGraph
{
    private readonly SortedDictionary<string, SortedDictionary<string, string>> _edges = new(StringComparer.Ordinal);

    private NamespaceGraph()
    {
    }

    public static NamespaceGraph Of(Assembly assembly, string sourceFolder)
    {
        var root = assembly.GetName().Name!;
        var graph = new NamespaceGraph();
        foreach (var file in Directory.EnumerateFiles(sourceFolder, "*.cs", SearchOption.AllDirectories))
        {
            var text = File.ReadAllText(file);
            if (FileNamespace().Match(text) is not { Success: true } declared || Node(root, declared.Groups[1].Value) is not { } from)
            {
                continue;
            }

            foreach (Match directive in UsingDirective().Matches(text))
            {
                if (Node(root, directive.Groups[1].Value) is { } to && to != from)
                {
                    graph._edges.TryAdd(from, new SortedDictionary<string, string>(StringComparer.Ordinal));
                    graph._edges[from].TryAdd(to, $"{Path.GetFileName(file)} has using {directive.Groups[1].Value}");
                }
            }
        }

        foreach (var type in ArchitectureTests.LoadableTypes(assembly))
        {
            if (Node(root, type.Namespace) is not { } from)
            {
                continue;
            }

            graph._edges.TryAdd(from, new SortedDictionary<string, string>(StringComparer.Ordinal));
            foreach (var used in TypeReferences.Of(type).Where(t => t.Assembly == assembly))
            {
                if (Node(root, used.Namespace) is { } to && to != from)
                {
                    graph._edges[from][to] = $"{ArchitectureTests.Name(type)} uses {ArchitectureTests.Name(used)}";
                }
            }
        }

        return graph;
    }

    /// <summary>
    /// Each strongly connected group of namespaces (its members' last parts, in name order, joined by ", "), with a
    /// description: a shortest cycle through its first member and the reference behind each step.
    /// </summary>
    public IReadOnlyDictionary<string, string> Cycles() =>
        StronglyConnected()
            .Where(group => group.Count > 1)
            .ToDictionary(
                group => string.Join(", ", group.Select(n => n[(n.LastIndexOf('.') + 1)..])),
                group =>
                {
                    var cycle = ShortestCycle(group[0], group.ToHashSet(StringComparer.Ordinal));
                    var steps = cycle.Zip(cycle.Skip(1), (a, b) => $"  {a} → {b}: {_edges[a][b]}");
                    return $"cycle among {string.Join(", ", group)}:{Environment.NewLine}{string.Join(Environment.NewLine, steps)}";
                },
                StringComparer.Ordinal);

    private static string? Node(string root, string? ns)
    {
        if (ns is null || !ns.StartsWith(root + ".", StringComparison.Ordinal))
        {
            return null;
        }

        var rest = ns[(root.Length + 1)..];
        var dot = rest.IndexOf('.', StringComparison.Ordinal);
        return root + "." + (dot < 0 ? rest : rest[..dot]);
    }

    [GeneratedRegex(@"^namespace ([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex FileNamespace();

    [GeneratedRegex(@"^using (?:static )?([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();

    private IEnumerable<string> Next(string node) =>
        _edges.TryGetValue(node, out var to) ? to.Keys : [];

    private List<string> ShortestCycle(string start, HashSet<string> within)
    {
        var previous = new Dictionary<string, string>(StringComparer.Ordinal);
        var queue = new Queue<string>([start]);
        while (queue.Count > 0)
        {
            var node = queue.Dequeue();
            foreach (var next in Next(node).Where(within.Contains))
            {
                if (next == start)
                {
                    var path = new List<string> { start, node };
                    while (path[^1] != start)
                    {
                        path.Add(previous[path[^1]]);
                    }

                    path.Reverse();
                    return path;
                }

                if (previous.TryAdd(next, node))
                {
                    queue.Enqueue(next);
                }
            }
        }

        return [start];
    }

    /// <summary>Tarjan's algorithm; each group's members in name order.</summary>
    private List<List<string>> StronglyConnected()
    {
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        var groups = new List<List<string>>();

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (var next in Next(node))
            {
                if (!index.TryGetValue(next, out var seen))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], seen);
                }
            }

            if (low[node] == index[node])
            {
                var group = new List<string>();
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    group.Add(member);
                }
                while (member != node);

                groups.Add([.. group.Order(StringComparer.Ordinal)]);
            }
        }

        foreach (var node in _edges.Keys.ToList())
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return groups;
    }
}
