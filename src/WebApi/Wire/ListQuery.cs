using ThreatPlatform.Application.Common.Paging;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.WebApi.Auth;

namespace ThreatPlatform.WebApi.Wire;

/// <summary>Reads a list's query string against its <see cref="ListSpec{T}"/>: typed criteria, or one 400 naming every bad parameter.</summary>
public static class ListQuery
{
    public static ListCriteria<T> ListCriteria<T>(this HttpRequest request, ListSpec<T> spec)
    {
        var query = request.Query;
        var fields = new WireFields();

        var page = fields.Value(typeof(int), query[ListSpec<T>.PageParameter], ListSpec<T>.PageParameter) as int?;
        if (page is < 1)
        {
            fields.Fail(ListSpec<T>.PageParameter, "page must be 1 or more.");
        }

        var pageSize = fields.Value(typeof(int), query[ListSpec<T>.PageSizeParameter], ListSpec<T>.PageSizeParameter) as int?;
        if (page is > 1 && !Paging.WithinDepth(page.Value, Paging.ClampPageSize(pageSize)))
        {
            fields.Fail(
                ListSpec<T>.PageParameter,
                $"page × page_size may not exceed {Paging.MaxDepth}; to read further, follow the next link (it carries a cursor) or pass cursor.");
        }

        var filters = new List<ListFilterValue<T>>();
        foreach (var parameter in spec.Filters)
        {
            var value = parameter.Repeatable
                ? ListOf(parameter, [.. fields.List(parameter.ValueType, query[parameter.Name], parameter.Name).Where(v => Within(parameter, v, fields))])
                : parameter.ValueType == typeof(UserReference)
                    ? User(query[parameter.Name], parameter.Name, request.HttpContext.User.UserId(), fields)
                    : fields.Value(parameter.ValueType, query[parameter.Name], parameter.Name);
            if (value is not null && Within(parameter, value, fields))
            {
                filters.Add(spec.Bind(parameter.Name, value));
            }
        }

        string? search = null;
        if (spec.Search is { } searchParameter)
        {
            search = fields.Value(typeof(string), query[searchParameter.Name], searchParameter.Name) as string;
            if (search is not null && !Within(searchParameter, search, fields))
            {
                search = null;
            }
        }

        var ordering = query[ListSpec<T>.OrderingParameter].ToString().Trim();
        if (ordering.Length > 0 && !spec.IsOrdering(ordering))
        {
            fields.Fail(
                ListSpec<T>.OrderingParameter,
                $"'{WireFields.Shorten(ordering)}' is not an ordering; use one of {string.Join(", ", spec.Orderings)}, each with an optional '-' for descending.");
        }

        var cursor = query.ContainsKey(ListSpec<T>.CursorParameter)
            ? Cursor(query[ListSpec<T>.CursorParameter], spec, ordering.Length > 0 ? ordering : spec.DefaultOrdering, fields)
            : null;
        if (cursor is not null && page is > 1)
        {
            fields.Fail(ListSpec<T>.PageParameter, "page and cursor cannot be combined: a cursor already says where the page starts.");
        }

        var exactCount = fields.Value(typeof(bool), query[ListSpec<T>.ExactCountParameter], ListSpec<T>.ExactCountParameter) as bool?;

        return fields.Result(() => new ListCriteria<T>(
            filters,
            search,
            ordering.Length > 0 ? ordering : null,
            page ?? 1,
            Paging.ClampPageSize(pageSize),
            cursor,
            exactCount ?? false));
    }

    // A cursor this list gave out, for the ordering of this request (a cursor keeps its ordering's key values only);
    // an empty cursor starts paging by key at the top of the list.
    private static ListCursor? Cursor<T>(string? text, ListSpec<T> spec, string ordering, WireFields fields)
    {
        const string field = ListSpec<T>.CursorParameter;
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return ListCursor.Start(ordering);
        }

        if (!ListCursor.TryDecode(value, spec.CursorKeyTypes, out var cursor, out var error))
        {
            fields.Fail(field, error!);
            return null;
        }

        if (spec.IsOrdering(ordering) && !string.Equals(cursor!.Ordering, ordering, StringComparison.Ordinal))
        {
            fields.Fail(field, $"This cursor pages the ordering {cursor.Ordering}, not {ordering}: keep the ordering of the page it came from.");
            return null;
        }

        return cursor;
    }

    // A user filter: "me" is the caller (resolved here, at the edge), "none" nobody, else a user id.
    private static UserReference? User(string? text, string field, long? caller, WireFields fields)
    {
        var value = text?.Trim();
        if (string.IsNullOrEmpty(value))
        {
            return null;
        }

        if (string.Equals(value, UserReference.Me, StringComparison.OrdinalIgnoreCase))
        {
            return caller is { } id ? new UserReference(id) : new UserReference(-1);
        }

        if (string.Equals(value, UserReference.None, StringComparison.OrdinalIgnoreCase))
        {
            return new UserReference(null);
        }

        if (long.TryParse(value, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var userId) && userId > 0)
        {
            return new UserReference(userId);
        }

        fields.Fail(field, $"{field} must be me, none or a user id.");
        return null;
    }

    // A typed list (IReadOnlyList<TEnum>) for the spec's predicate; null when no value was given (no filter).
    private static object? ListOf(ListParameter parameter, IReadOnlyList<object> values)
    {
        if (values.Count == 0)
        {
            return null;
        }

        var typed = Array.CreateInstance(parameter.ValueType, values.Count);
        for (var i = 0; i < values.Count; i++)
        {
            typed.SetValue(values[i], i);
        }

        return typed;
    }

    // The bounds are the spec's (the Application's): this only collects the refusal under the parameter's name.
    private static bool Within(ListParameter parameter, object value, WireFields fields)
    {
        if (parameter.Refusal(value) is { } refusal)
        {
            fields.Fail(parameter.Name, refusal);
            return false;
        }

        return true;
    }
}
