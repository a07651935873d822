using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Paging;
using PageRules = ThreatPlatform.Application.Common.Paging.Paging;

namespace ThreatPlatform.Application.Common.Querying;

/// <summary>One query parameter a list accepts: its name, the type its text parses to, and its bounds.</summary>
/// <param name="Repeatable">Given as <c>?x=A&amp;x=B</c> or <c>?x=A,B</c>; any of the values matches.</param>
public sealed record ListParameter(string Name, Type ValueType, bool Repeatable = false, int? MaxLength = null, double? Minimum = null, double? Maximum = null, string? Description = null, int? MinLength = null);

/// <summary>
/// A list declared once: its filters (parameter → column and comparison, with the parameter's type), its orderings (name
/// → key, with the id as tie-breaker) and whether it is searchable. The query, the 400 messages (WebApi parses each
/// parameter by <see cref="ListParameter.ValueType"/>) and the OpenAPI parameters all follow from it.
/// </summary>
public sealed class ListSpec<T>
{
    public const string PageParameter = "page";
    public const string PageSizeParameter = "page_size";
    public const string SearchParameter = "search";

    /// <summary>The shortest search term (spaces around it not counted): pg_trgm's index needs a trigram to look up.</summary>
    public const int SearchMinLength = 3;
    public const string OrderingParameter = "ordering";

    private readonly List<Filter> _filters = [];
    private readonly Dictionary<string, OrderKey> _orderings = new(StringComparer.Ordinal);
    private readonly List<string> _orderingNames = [];

    // The order the parameters are documented in (and so their order in generated clients): filters, and where search
    // and ordering were declared. Parameters added later go last, so positional client calls keep working.
    private readonly List<string> _layout = [PageParameter, PageSizeParameter];
    private Func<IOrderedQueryable<T>, bool, IOrderedQueryable<T>>? _tieBreaker;

    public int? SearchMaxLength { get; private set; }

    public string DefaultOrdering { get; private set; } = string.Empty;

    /// <summary>The ordering names, each also accepted with a leading '-' for descending.</summary>
    public IReadOnlyList<string> Orderings => _orderingNames;

    /// <summary>Every filter parameter, in declaration order.</summary>
    public IReadOnlyList<ListParameter> Filters => [.. _filters.Select(f => f.Parameter)];

    /// <summary>Every query parameter the list reads, page and ordering included, in declaration order.</summary>
    public IReadOnlyList<ListParameter> Parameters => [.. _layout.Select(Describe)];

    /// <summary>Any of the given values matches (an enum list: <c>?status=OPEN,ACKNOWLEDGED</c>).</summary>
    public ListSpec<T> AnyOf<TValue>(string name, Expression<Func<T, TValue>> column)
        where TValue : struct, Enum =>
        Add(new ListParameter(name, typeof(TValue), Repeatable: true, Description: "Repeat the parameter or separate values with commas; any of them matches."),
            value =>
            {
                var values = (IReadOnlyList<TValue>)value;
                return Predicate(column, v => values.Contains(v));
            });

    /// <summary>Exact match on a column (text bounded by the column's length; bool; whole number).</summary>
    public ListSpec<T> Equal<TValue>(string name, Expression<Func<T, TValue>> column, int? maxLength = null) =>
        Add(new ListParameter(name, typeof(TValue), MaxLength: maxLength),
            value => Compare(column, (TValue)value, ExpressionType.Equal));

    /// <summary><c>name__gte</c> and <c>name__lte</c> on a comparable column (dates, numbers), both inclusive.</summary>
    public ListSpec<T> Range<TValue>(string name, Expression<Func<T, TValue>> column, double? minimum = null, double? maximum = null)
    {
        Add(new ListParameter(name + "__gte", typeof(TValue), Minimum: minimum, Maximum: maximum), value => Compare(column, (TValue)value, ExpressionType.GreaterThanOrEqual));
        return Add(new ListParameter(name + "__lte", typeof(TValue), Minimum: minimum, Maximum: maximum), value => Compare(column, (TValue)value, ExpressionType.LessThanOrEqual));
    }

    /// <summary>A filter whose predicate is written out, for what a column comparison cannot say.</summary>
    public ListSpec<T> Where<TValue>(ListParameter parameter, Func<TValue, Expression<Func<T, bool>>> predicate) =>
        Add(parameter with { ValueType = typeof(TValue) }, value => predicate((TValue)value));

    /// <summary>
    /// A filter whose predicate depends on the time of the query (e.g. "past due"): the handler passes its clock's now
    /// to <see cref="Apply"/>, so tests control it.
    /// </summary>
    public ListSpec<T> WhereAt<TValue>(ListParameter parameter, Func<TValue, DateTimeOffset, Expression<Func<T, bool>>> predicate)
    {
        _filters.Add(new Filter(parameter with { ValueType = typeof(TValue) }, value => now => predicate((TValue)value, now), DependsOnTime: true));
        _layout.Add(parameter.Name);
        return this;
    }

    /// <summary>Text values (repeatable or comma-separated) that must all be present in an array column (<c>@&gt;</c>).</summary>
    public ListSpec<T> AllOf(string name, Expression<Func<T, string[]>> column, int maxLength, bool lowerCase = false) =>
        Add(new ListParameter(name, typeof(string), Repeatable: true, MaxLength: maxLength, Description: "Repeat the parameter or separate values with commas; all of them must be present."),
            value =>
            {
                var values = ((IReadOnlyList<string>)value).Select(v => lowerCase ? v.ToLowerInvariant() : v).Distinct().ToArray();
                return Predicate(column, array => values.All(v => array.Contains(v)));
            });

    /// <summary>The list takes <c>search</c>: a case-insensitive substring, at most <paramref name="maxLength"/> characters.</summary>
    public ListSpec<T> Searchable(int maxLength = 200)
    {
        SearchMaxLength = maxLength;
        _layout.Add(SearchParameter);
        return this;
    }

    /// <summary>
    /// An ordering by <paramref name="key"/>; <paramref name="then"/> (an ordering name, '-' for descending) decides among
    /// equal keys before the id does, e.g. severity, then newest first.
    /// </summary>
    public ListSpec<T> Order<TKey>(string name, Expression<Func<T, TKey>> key, string? then = null)
    {
        _orderings[name] = new OrderKey(
            (q, descending) => descending ? q.OrderByDescending(key) : q.OrderBy(key),
            (q, descending) => descending ? q.ThenByDescending(key) : q.ThenBy(key),
            then);
        _orderingNames.Add(name);
        if (!_layout.Contains(OrderingParameter))
        {
            _layout.Add(OrderingParameter);
        }

        return this;
    }

    public ListSpec<T> DefaultOrder(string ordering)
    {
        DefaultOrdering = ordering;
        return this;
    }

    /// <summary>The unique key that makes every ordering total, so a page boundary never repeats or skips a row.</summary>
    public ListSpec<T> TieBreaker<TKey>(Expression<Func<T, TKey>> key)
    {
        _tieBreaker = (q, descending) => descending ? q.ThenByDescending(key) : q.ThenBy(key);
        return this;
    }

    /// <summary>True when <paramref name="ordering"/> (with an optional '-') names one of this list's orderings.</summary>
    public bool IsOrdering(string ordering) => _orderings.ContainsKey(ordering.TrimStart('-'));

    /// <summary>A filter's typed value, made by WebApi's parser from the parameter's text.</summary>
    public ListFilterValue<T> Bind(string parameter, object value)
    {
        var filter = _filters.Single(f => f.Parameter.Name == parameter);
        return new ListFilterValue<T>(parameter, filter.Bind(value), filter.DependsOnTime);
    }

    /// <summary>
    /// The criteria's filters, then (when given and the list is searchable) <paramref name="search"/>. A list with
    /// time-dependent filters (<see cref="WhereAt{TValue}"/>) needs <paramref name="now"/>.
    /// </summary>
    public IQueryable<T> Apply(
        IQueryable<T> source,
        ListCriteria<T> criteria,
        Func<IQueryable<T>, string, IQueryable<T>>? search = null,
        DateTimeOffset? now = null)
    {
        foreach (var filter in criteria.Filters)
        {
            var at = filter.DependsOnTime
                ? now ?? throw new InvalidOperationException($"The filter {filter.Parameter} needs the time of the query.")
                : default;
            source = source.Where(filter.PredicateAt(at));
        }

        return criteria.Search is { } term && search is not null ? search(source, term) : source;
    }

    /// <summary>The criteria's ordering (or the default), its <c>then</c> key, and the tie-breaker in the last key's direction.</summary>
    public IOrderedQueryable<T> Sort(IQueryable<T> source, ListCriteria<T> criteria)
    {
        var (name, descending) = Split(criteria.Ordering ?? DefaultOrdering);
        var primary = _orderings[name];
        var ordered = primary.First(source, descending);
        var lastDescending = descending;
        if (primary.Then is { } then)
        {
            (var thenName, lastDescending) = Split(then);
            ordered = _orderings[thenName].Next(ordered, lastDescending);
        }

        return _tieBreaker is null ? ordered : _tieBreaker(ordered, lastDescending);
    }

    /// <summary>
    /// One page of the filtered rows in the criteria's order, with the exact count (a page past the end is a 404, as
    /// DRF). <paramref name="project"/> reads the page's rows; <paramref name="toDto"/> maps each in memory.
    /// </summary>
    public async Task<Page<TDto>> PageAsync<TRow, TDto>(
        IQueryable<T> filtered,
        ListCriteria<T> criteria,
        Func<IQueryable<T>, IQueryable<TRow>> project,
        Func<TRow, TDto> toDto,
        CancellationToken cancellationToken)
    {
        var count = await filtered.LongCountAsync(cancellationToken);
        PageRules.ThrowIfPastEnd(criteria.Page, criteria.PageSize, count);
        var rows = await project(Sort(filtered, criteria)
                .Skip(PageRules.Skip(criteria.Page, criteria.PageSize))
                .Take(criteria.PageSize))
            .ToListAsync(cancellationToken);
        return new Page<TDto>(rows.Select(toDto).ToList(), count, criteria.Page, criteria.PageSize);
    }

    private static (string Name, bool Descending) Split(string ordering) =>
        ordering.StartsWith('-') ? (ordering[1..], true) : (ordering, false);

    private ListSpec<T> Add(ListParameter parameter, Func<object, Expression<Func<T, bool>>> bind)
    {
        _filters.Add(new Filter(parameter, value =>
        {
            var predicate = bind(value);
            return _ => predicate;
        }));
        _layout.Add(parameter.Name);
        return this;
    }

    private ListParameter Describe(string name) => name switch
    {
        PageParameter => new(PageParameter, typeof(int), Minimum: 1, Maximum: int.MaxValue),
        PageSizeParameter => new(PageSizeParameter, typeof(int), Minimum: 1, Maximum: PageRules.MaxPageSize, Description: $"Default {PageRules.DefaultPageSize}; larger values are clamped to {PageRules.MaxPageSize}."),
        SearchParameter => new(SearchParameter, typeof(string), MaxLength: SearchMaxLength, Description: $"Case-insensitive substring, at least {SearchMinLength} characters.", MinLength: SearchMinLength),
        OrderingParameter => new(
            OrderingParameter,
            typeof(string),
            MaxLength: _orderingNames.Max(o => o.Length) + 1,
            Description: $"One of {string.Join(", ", _orderingNames)}; a leading '-' orders descending. Default {DefaultOrdering}."),
        _ => _filters.Single(f => f.Parameter.Name == name).Parameter,
    };

    /// <summary><paramref name="column"/>(x) substituted into <paramref name="test"/>(v): captured values stay parameters in SQL.</summary>
    internal static Expression<Func<T, bool>> Predicate<TValue>(Expression<Func<T, TValue>> column, Expression<Func<TValue, bool>> test) =>
        Expression.Lambda<Func<T, bool>>(
            new Substitute(test.Parameters[0], column.Body).Visit(test.Body),
            column.Parameters);

    private static Expression<Func<T, bool>> Compare<TValue>(Expression<Func<T, TValue>> column, TValue bound, ExpressionType comparison)
    {
        Expression<Func<TValue>> captured = () => bound;
        return Expression.Lambda<Func<T, bool>>(
            Expression.MakeBinary(comparison, column.Body, captured.Body),
            column.Parameters);
    }

    private sealed record Filter(ListParameter Parameter, Func<object, Func<DateTimeOffset, Expression<Func<T, bool>>>> Bind, bool DependsOnTime = false);

    private sealed record OrderKey(
        Func<IQueryable<T>, bool, IOrderedQueryable<T>> First,
        Func<IOrderedQueryable<T>, bool, IOrderedQueryable<T>> Next,
        string? Then);

    private sealed class Substitute(ParameterExpression parameter, Expression replacement) : ExpressionVisitor
    {
        protected override Expression VisitParameter(ParameterExpression node) => node == parameter ? replacement : node;
    }
}

/// <summary>Starts a list declaration: <c>ListSpec.For&lt;Alert&gt;().AnyOf("status", a =&gt; a.Status)…</c>.</summary>
public static class ListSpec
{
    public static ListSpec<T> For<T>() => new();
}

/// <summary>
/// One filter with its value bound: the parameter it came from, and the predicate it makes at the time of the query
/// (the same at any time unless <see cref="DependsOnTime"/>).
/// </summary>
public sealed record ListFilterValue<T>(string Parameter, Func<DateTimeOffset, Expression<Func<T, bool>>> PredicateAt, bool DependsOnTime = false)
{
    /// <summary>The predicate of a filter that does not depend on the time.</summary>
    public Expression<Func<T, bool>> Predicate => DependsOnTime
        ? throw new InvalidOperationException($"The filter {Parameter} depends on the time; use PredicateAt.")
        : PredicateAt(default);
}

/// <summary>
/// A list request, typed: the filters with their values, the search term, the ordering (one of the spec's names, with
/// an optional '-'), and the page. WebApi builds it from the query string; the handler applies it with its spec.
/// </summary>
public sealed record ListCriteria<T>(
    IReadOnlyList<ListFilterValue<T>> Filters,
    string? Search = null,
    string? Ordering = null,
    int Page = 1,
    int PageSize = PageRules.DefaultPageSize);
