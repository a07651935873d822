using System.Globalization;
using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using ThreatPlatform.Application.Common.Interfaces;
using ThreatPlatform.Application.Common.Paging;
using PageRules = ThreatPlatform.Application.Common.Paging.Paging;

namespace ThreatPlatform.Application.Common.Querying;

/// <summary>One query parameter a list accepts: its name, the type its text parses to, and its bounds.</summary>
/// <param name="Repeatable">Given as <c>?x=A&amp;x=B</c> or <c>?x=A,B</c>; any of the values matches.</param>
public sealed record ListParameter(string Name, Type ValueType, bool Repeatable = false, int? MaxLength = null, double? Minimum = null, double? Maximum = null, string? Description = null, int? MinLength = null)
{
    /// <summary>
    /// Why <paramref name="value"/> (parsed as <see cref="ValueType"/>) is outside this parameter's bounds, or null when
    /// it is within them: the one check of the bounds the OpenAPI document states.
    /// </summary>
    public string? Refusal(object value)
    {
        if (value is string text)
        {
            return text.Length > MaxLength ? $"{Name} must be at most {MaxLength} characters."
                : text.Length < MinLength ? $"{Name} needs at least {MinLength} characters."
                : null;
        }

        if (value is not IConvertible number || value is bool or Enum or DateTimeOffset)
        {
            return null;
        }

        var x = number.ToDouble(CultureInfo.InvariantCulture);
        return (Minimum is { } min && x < min) || (Maximum is { } max && x > max)
            ? $"{Name} must be between {Minimum} and {Maximum}."
            : null;
    }
}

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
    public const string CursorParameter = "cursor";
    public const string ExactCountParameter = "exact_count";

    private readonly List<Filter> _filters = [];
    private readonly Dictionary<string, OrderKey> _orderings = new(StringComparer.Ordinal);
    private readonly List<string> _orderingNames = [];

    // The order the parameters are documented in (and so their order in generated clients): filters, and where search
    // and ordering were declared. Parameters added later go last, so positional client calls keep working.
    private readonly List<string> _layout = [PageParameter, PageSizeParameter];
    private OrderKey? _tieBreaker;

    public int? SearchMaxLength { get; private set; }

    /// <summary>The <c>search</c> parameter with its bounds; null when the list is not searchable.</summary>
    public ListParameter? Search => SearchMaxLength is null ? null : Describe(SearchParameter);

    public string DefaultOrdering { get; private set; } = string.Empty;

    /// <summary>The ordering names, each also accepted with a leading '-' for descending.</summary>
    public IReadOnlyList<string> Orderings => _orderingNames;

    /// <summary>Every filter parameter, in declaration order.</summary>
    public IReadOnlyList<ListParameter> Filters => [.. _filters.Select(f => f.Parameter)];

    /// <summary>
    /// Every query parameter the list reads, page and ordering included, in declaration order; <c>cursor</c> and
    /// <c>exact_count</c>, which every list takes, came last (after the filters lists had then), so they close the list.
    /// </summary>
    public IReadOnlyList<ListParameter> Parameters => [.. _layout.Select(Describe), CursorDescription, ExactCountDescription];

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
    /// equal keys before the id does, e.g. severity, then newest first. The key (a non-null column) is also what a
    /// cursor carries, so every ordering pages by cursor without more code.
    /// </summary>
    public ListSpec<T> Order<TKey>(string name, Expression<Func<T, TKey>> key, string? then = null)
    {
        _orderings[name] = OrderKey.Of(key, then);
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
        _tieBreaker = OrderKey.Of(key, then: null);
        return this;
    }

    /// <summary>True when <paramref name="ordering"/> (with an optional '-') names one of this list's orderings.</summary>
    public bool IsOrdering(string ordering) => _orderings.ContainsKey(Split(ordering).Name);

    /// <summary>A filter's typed value, made by WebApi's parser from the parameter's text.</summary>
    public ListFilterValue<T> Bind(string parameter, object value)
    {
        var filter = _filters.Single(f => f.Parameter.Name == parameter);
        return new ListFilterValue<T>(parameter, filter.Bind(value), filter.DependsOnTime, ListFilterText.Of(value));
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
        var keys = Keys(EffectiveOrdering(criteria));
        var ordered = keys[0].Key.First(source, keys[0].Descending);
        foreach (var (key, descending) in keys.Skip(1))
        {
            ordered = key.Next(ordered, descending);
        }

        return ordered;
    }

    /// <summary>The ordering the criteria name, or the list's default.</summary>
    public string EffectiveOrdering(ListCriteria<T> criteria) => criteria.Ordering ?? DefaultOrdering;

    /// <summary>The types of the values a cursor of <paramref name="ordering"/> carries, or null when the list has no such ordering.</summary>
    public IReadOnlyList<Type>? CursorKeyTypes(string ordering) =>
        IsOrdering(ordering) ? [.. Keys(ordering).Select(k => k.Key.Type)] : null;

    /// <summary>
    /// The rows after <paramref name="cursor"/> in its ordering (keyset paging), sorted. For keys k1, k2 and the cursor's
    /// values v1, v2 that is <c>k1 ≥ v1 AND (k1 &gt; v1 OR (k1 = v1 AND k2 &gt; v2))</c>, each comparison turned for a
    /// descending key; the leading bound on k1 alone is what an index on k1 serves, so a cursor deep in the list starts
    /// where it points instead of reading every row before it. An ordering with a <c>then</c> key (k1 a status or a
    /// severity: few values, each shared by many rows) is read as two index ranges, the rest of k1's group and the groups
    /// after it (each at most <paramref name="take"/> rows, UNION ALL), since one OR over a large group would make
    /// PostgreSQL read the group's rows before the cursor and throw them away.
    /// </summary>
    public IQueryable<T> SortedAfter(IQueryable<T> source, ListCriteria<T> criteria, ListCursor cursor, int take)
    {
        if (cursor.IsStart)
        {
            return Sort(source, criteria);
        }

        var keys = Keys(cursor.Ordering);
        if (keys.Count < 3)
        {
            return Sort(source.Where(Beyond(keys, cursor.Values, from: 0)), criteria);
        }

        var row = Expression.Parameter(typeof(T), "row");
        var (first, descending) = keys[0];
        var firstValue = OrderKey.Parameter(first.Type, cursor.Values[0]);
        var sameGroup = Expression.Lambda<Func<T, bool>>(OrderKey.Compare(first.Column(row), firstValue, ExpressionType.Equal), row);
        var laterGroups = Expression.Lambda<Func<T, bool>>(
            OrderKey.Compare(first.Column(row), firstValue, descending ? ExpressionType.LessThan : ExpressionType.GreaterThan), row);
        var restOfGroup = Sort(source.Where(sameGroup).Where(Beyond(keys, cursor.Values, from: 1)), criteria).Take(take);
        var afterGroup = Sort(source.Where(laterGroups), criteria).Take(take);
        return Sort(restOfGroup.Concat(afterGroup), criteria);
    }

    // keys[from..] after values[from..]: the leading bound on keys[from], then the lexicographic comparison.
    private static Expression<Func<T, bool>> Beyond(List<(OrderKey Key, bool Descending)> keys, IReadOnlyList<object> values, int from)
    {
        var row = Expression.Parameter(typeof(T), "row");
        Expression? rest = null;
        for (var i = keys.Count - 1; i >= from; i--)
        {
            var (key, descending) = keys[i];
            var column = key.Column(row);
            var value = OrderKey.Parameter(key.Type, values[i]);
            var beyond = OrderKey.Compare(column, value, descending ? ExpressionType.LessThan : ExpressionType.GreaterThan);
            rest = rest is null
                ? beyond
                : Expression.OrElse(beyond, Expression.AndAlso(OrderKey.Compare(column, value, ExpressionType.Equal), rest));
        }

        if (keys.Count - from > 1)
        {
            var (first, firstDescending) = keys[from];
            var bound = OrderKey.Compare(
                first.Column(row),
                OrderKey.Parameter(first.Type, values[from]),
                firstDescending ? ExpressionType.LessThanOrEqual : ExpressionType.GreaterThanOrEqual);
            rest = Expression.AndAlso(bound, rest!);
        }

        return Expression.Lambda<Func<T, bool>>(rest!, row);
    }

    /// <summary>
    /// One page of the filtered rows in the criteria's order: by page number (offset, at most <see cref="PageRules.MaxDepth"/>
    /// rows deep) or after the criteria's cursor (keyset). The count is exact up to <see cref="PageRules.CountCap"/>
    /// unless the criteria ask for the exact figure; a page past the end is a 404, as DRF. <paramref name="project"/>
    /// reads the page's rows (a single <c>Select</c> over them); <paramref name="toDto"/> maps each in memory.
    /// </summary>
    public async Task<Page<TDto>> PageAsync<TRow, TDto>(
        IQueryable<T> filtered,
        ListCriteria<T> criteria,
        Func<IQueryable<T>, IQueryable<TRow>> project,
        Func<TRow, TDto> toDto,
        CancellationToken cancellationToken,
        ICappedCounts? cappedCounts = null)
    {
        long count;
        var countIsExact = true;
        // Only a list whose rows are all of the table's (no scope outside the criteria) may pass cappedCounts: the key
        // is the criteria alone.
        var countKey = cappedCounts is null ? null : criteria.CountKey();
        if (criteria.ExactCount)
        {
            count = await filtered.LongCountAsync(cancellationToken);
        }
        else if (countKey is not null && cappedCounts!.IsKnownCapped(countKey))
        {
            (count, countIsExact) = (PageRules.CountCap, false);
        }
        else
        {
            // Counting stops after the cap (LIMIT in a subquery): the first page of a broad filter costs the same at
            // ten thousand matching rows as at ten million.
            count = await filtered.Take(PageRules.CountCap + 1).LongCountAsync(cancellationToken);
            if (count > PageRules.CountCap)
            {
                (count, countIsExact) = (PageRules.CountCap, false);
            }

            if (countKey is not null)
            {
                cappedCounts!.Record(countKey, capped: !countIsExact);
            }
        }

        var ordering = EffectiveOrdering(criteria);
        var sorted = criteria.Cursor is { } cursor
            ? SortedAfter(filtered, criteria, cursor, criteria.PageSize + 1)
            : Sort(filtered, criteria).Skip(PageRules.Skip(criteria.Page, criteria.PageSize));

        // One row more than the page tells whether there is a next page without trusting a capped count.
        var rows = await Keyed(sorted.Take(criteria.PageSize + 1), project, ordering).ToListAsync(cancellationToken);
        var items = rows.Take(criteria.PageSize).ToList();
        PageRules.ThrowIfPastEnd(criteria.Cursor is null ? criteria.Page : 1, items.Count);

        PageLink? next = null;
        if (rows.Count > criteria.PageSize)
        {
            next = criteria.Cursor is null && PageRules.WithinDepth(criteria.Page + 1, criteria.PageSize)
                ? new PageLink(criteria.Page + 1, null)
                : new PageLink(null, new ListCursor(ordering, items[^1].Keys()).Encode());
        }

        return new Page<TDto>(
            [.. items.Select(r => toDto(r.Row))],
            count,
            criteria.Cursor is null ? criteria.Page : 1,
            criteria.PageSize,
            countIsExact,
            next,
            IsCursorPage: criteria.Cursor is not null);
    }

    // The ordering's keys in order: its own, its then key, the tie-breaker (in the last key's direction).
    private List<(OrderKey Key, bool Descending)> Keys(string ordering)
    {
        var (name, descending) = Split(ordering);
        var primary = _orderings[name];
        var keys = new List<(OrderKey, bool)> { (primary, descending) };
        var lastDescending = descending;
        if (primary.Then is { } then)
        {
            (var thenName, lastDescending) = Split(then);
            keys.Add((_orderings[thenName], lastDescending));
        }

        if (_tieBreaker is not null)
        {
            keys.Add((_tieBreaker, lastDescending));
        }

        return keys;
    }

    // The page's rows with their sort key values beside them (for the next cursor), in the same query: the projection's
    // Select is widened to KeyedRow(row, k1, k2, k3).
    private IQueryable<KeyedRow<TRow>> Keyed<TRow>(IQueryable<T> page, Func<IQueryable<T>, IQueryable<TRow>> project, string ordering)
    {
        var projected = project(page);
        if (projected.Expression is not MethodCallExpression { Method.Name: nameof(Queryable.Select) } select
            || select.Arguments[0] != page.Expression
            || select.Arguments[1] is not UnaryExpression { Operand: LambdaExpression rowLambda })
        {
            throw new InvalidOperationException("A list's projection must be a single Select over the page's rows.");
        }

        var row = rowLambda.Parameters[0];
        var keys = Keys(ordering).Select(k => (Expression)Expression.Convert(k.Key.Column(row), typeof(object))).ToList();
        while (keys.Count < KeyedRow<TRow>.MaxKeys)
        {
            keys.Add(Expression.Constant(null, typeof(object)));
        }

        if (keys.Count > KeyedRow<TRow>.MaxKeys)
        {
            throw new InvalidOperationException($"An ordering may have at most {KeyedRow<TRow>.MaxKeys} keys, the tie-breaker included.");
        }

        var constructor = typeof(KeyedRow<TRow>).GetConstructors().Single();
        var keyed = Expression.Lambda<Func<T, KeyedRow<TRow>>>(Expression.New(constructor, [rowLambda.Body, .. keys]), row);
        return page.Select(keyed);
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

    private static ListParameter CursorDescription => new(
        CursorParameter,
        typeof(string),
        MaxLength: 4096,
        Description: "Opaque: the position after the last row of a page, from a next link; empty (cursor=) for the first page. Pages by key, stable while rows arrive, in the ordering it was made for: page and cursor are not combined, and a cursor of another ordering is a 400.");

    private static ListParameter ExactCountDescription => new(
        ExactCountParameter,
        typeof(bool),
        Description: $"count is exact up to {PageRules.CountCap}; beyond that it is {PageRules.CountCap} with count_is_exact false, unless exact_count=true asks for the exact figure.");

    private ListParameter Describe(string name) => name switch
    {
        PageParameter => new(PageParameter, typeof(int), Minimum: 1, Maximum: PageRules.MaxDepth, Description: $"From 1; page × page_size may not exceed {PageRules.MaxDepth} (read further with the cursor in the next link)."),
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
        LambdaExpression Key,
        string? Then)
    {
        public Type Type => Key.ReturnType;

        public static OrderKey Of<TKey>(Expression<Func<T, TKey>> key, string? then)
        {
            if (!ListCursor.CanCarry(typeof(TKey)))
            {
                throw new ArgumentException($"{typeof(TKey).Name} is not a key a cursor can carry: order by a non-null date, number, text or enum column.", nameof(key));
            }

            return new OrderKey(
                (q, descending) => descending ? q.OrderByDescending(key) : q.OrderBy(key),
                (q, descending) => descending ? q.ThenByDescending(key) : q.ThenBy(key),
                key,
                then);
        }

        /// <summary>The key's column read from <paramref name="row"/>.</summary>
        public Expression Column(ParameterExpression row) => new Substitute(Key.Parameters[0], row).Visit(Key.Body);

        /// <summary>A captured value (a SQL parameter, not a literal) of the key's type.</summary>
        public static Expression Parameter(Type type, object value)
        {
            var box = Activator.CreateInstance(typeof(System.Runtime.CompilerServices.StrongBox<>).MakeGenericType(type), value)!;
            return Expression.Field(Expression.Constant(box), "Value");
        }

        /// <summary>
        /// column ⋄ value for a key type: text compares through string.Compare (SQL's &lt; on text) and enums through their
        /// underlying number (the stored value), as the ORDER BY does.
        /// </summary>
        public static Expression Compare(Expression column, Expression value, ExpressionType comparison)
        {
            if (column.Type == typeof(string))
            {
                var compare = Expression.Call(typeof(string).GetMethod(nameof(string.Compare), [typeof(string), typeof(string)])!, column, value);
                return Expression.MakeBinary(comparison, compare, Expression.Constant(0));
            }

            if (column.Type.IsEnum)
            {
                var underlying = Enum.GetUnderlyingType(column.Type);
                return Expression.MakeBinary(comparison, Expression.Convert(column, underlying), Expression.Convert(value, underlying));
            }

            return Expression.MakeBinary(comparison, column, value);
        }
    }

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
/// <param name="Text">The value as text, the same for the same value (for <see cref="ListCriteria{T}.CountKey"/>); null
/// when it has none.</param>
public sealed record ListFilterValue<T>(
    string Parameter,
    Func<DateTimeOffset, Expression<Func<T, bool>>> PredicateAt,
    bool DependsOnTime = false,
    string? Text = null)
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
/// <param name="Cursor">Keyset paging: the rows after this position (then <paramref name="Page"/> is 1).</param>
/// <param name="ExactCount">Count every match instead of stopping at <see cref="PageRules.CountCap"/>.</param>
public sealed record ListCriteria<T>(
    IReadOnlyList<ListFilterValue<T>> Filters,
    string? Search = null,
    string? Ordering = null,
    int Page = 1,
    int PageSize = PageRules.DefaultPageSize,
    ListCursor? Cursor = null,
    bool ExactCount = false)
{
    /// <summary>
    /// What the rows are filtered by (the list's row type, each filter with its value, the search), whatever the
    /// ordering and page: the key of <see cref="ICappedCounts"/>. Null when a filter has no text of its value.
    /// </summary>
    public string? CountKey()
    {
        if (Filters.Any(f => f.Text is null))
        {
            return null;
        }

        var filters = Filters.OrderBy(f => f.Parameter, StringComparer.Ordinal)
            .Select(f => f.Parameter + "=" + Uri.EscapeDataString(f.Text!));
        return typeof(T).FullName + "?" + string.Join("&", filters) + "&search=" + Uri.EscapeDataString(Search ?? string.Empty);
    }
}

/// <summary>A filter value as invariant text: lists item by item, times to the tick, a user by its id.</summary>
public static class ListFilterText
{
    public static string Of(object value) => value switch
    {
        string text => text,
        DateTimeOffset time => time.UtcTicks.ToString(CultureInfo.InvariantCulture),
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        System.Collections.IEnumerable items => string.Join(",", items.Cast<object>().Select(Of)),
        _ => value.ToString() ?? string.Empty,
    };
}

/// <summary>A projected row and the values of its sort keys (unused ones null), read in one query.</summary>
public sealed record KeyedRow<TRow>(TRow Row, object? K1, object? K2, object? K3)
{
    public const int MaxKeys = 3;

    public IReadOnlyList<object> Keys() => [.. new[] { K1, K2, K3 }.OfType<object>()];
}
