using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using ThreatPlatform.Application.Common.Querying;
using ThreatPlatform.Application.Notifications.Common;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;
using ThreatPlatform.WebApi.IntegrationTests.Support;

namespace ThreatPlatform.WebApi.IntegrationTests.OpenApi;

/// <summary>The served OpenAPI document is what the TypeScript client is generated from: every operation must read well there.</summary>
public sealed partial class OpenApiDocumentTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static readonly string[] Methods = ["get", "put", "post", "delete", "patch", "head", "options"];

    [Fact]
    public async Task Every_operation_has_a_unique_Tag_Action_operation_id()
    {
        var operations = await OperationsAsync();

        operations.Should().NotBeEmpty();
        foreach (var op in operations)
        {
            op.Id.Should().MatchRegex(OperationIdPattern().ToString(), $"{op} needs .WithName(\"Tag_Action\")");
            op.Id.Should().StartWith(op.Tag + "_", $"{op}'s operationId starts with its tag");
        }

        operations.Select(o => o.Id).Should().OnlyHaveUniqueItems();
    }

    [Fact]
    public async Task Every_operation_has_a_summary_and_every_response_a_description()
    {
        foreach (var op in await OperationsAsync())
        {
            op.Element.TryGetProperty("summary", out var summary).Should().BeTrue($"{op} needs .WithSummary(…)");
            summary.GetString().Should().NotBeNullOrWhiteSpace();
            foreach (var response in op.Element.GetProperty("responses").EnumerateObject())
            {
                response.Value.GetProperty("description").GetString().Should().NotBeNullOrWhiteSpace($"{op} {response.Name}");
            }
        }
    }

    [Fact]
    public async Task Operations_that_require_a_token_declare_bearer_security_and_a_401()
    {
        var secured = (await OperationsAsync()).Where(o => o.Element.TryGetProperty("security", out _)).ToList();

        secured.Select(o => o.Id).Should().Contain(
            ["Auth_Me", "Auth_Logout", "Users_List", "Users_Update", "Events_Ingest", "Events_List", "Alerts_List", "Alerts_UpdateStatus"]);
        foreach (var op in secured)
        {
            op.Element.GetProperty("security")[0].TryGetProperty("Bearer", out _).Should().BeTrue($"{op}");
            op.Responses.Should().Contain("401", $"{op} requires a token");
        }
    }

    [Fact]
    public async Task Ingest_operations_also_accept_a_sensors_api_key_and_no_other_does()
    {
        var operations = await OperationsAsync();

        var withKey = operations
            .Where(o => o.Element.TryGetProperty("security", out var security) && security.EnumerateArray().Any(r => r.TryGetProperty("ApiKey", out _)))
            .Select(o => o.Id);

        withKey.Should().BeEquivalentTo("Events_Ingest", "Events_IngestBatch", "Events_IngestRaw");
        operations.Single(o => o.Id == "Events_Ingest").Responses.Should().Contain(["403", "429"]);
        operations.Single(o => o.Id == "Events_IngestBatch").Responses.Should().Contain("429");
        operations.Single(o => o.Id == "Events_IngestRaw").Responses.Should().Contain(["403", "429"]);
    }

    [Fact]
    public async Task Sensor_operations_are_admin_only()
    {
        var sensors = (await OperationsAsync()).Where(o => o.Tag == "Sensors").ToList();

        sensors.Select(o => o.Id).Should().BeEquivalentTo(
            "Sensors_Create", "Sensors_List", "Sensors_Get", "Sensors_Update", "Sensors_CreateKey", "Sensors_ListKeys", "Sensors_RevokeKey");
        sensors.Should().OnlyContain(o => o.Responses.Contains("401") && o.Responses.Contains("403"));
    }

    [Fact]
    public async Task Sign_in_operations_need_no_token()
    {
        var anonymous = (await OperationsAsync()).Where(o => !o.Element.TryGetProperty("security", out _)).Select(o => o.Id);

        anonymous.Should().Contain(["Auth_Register", "Auth_Login", "Auth_Refresh"]);
    }

    [Fact]
    public async Task Admin_only_operations_declare_403()
    {
        var operations = (await OperationsAsync()).ToDictionary(o => o.Id);

        operations["Users_List"].Responses.Should().Contain("403");
        operations["Users_Update"].Responses.Should().Contain(["403", "404", "409"]);
        operations["Alerts_UpdateStatus"].Responses.Should().Contain(["403", "404", "409"]);
    }

    [Fact]
    public async Task Operations_a_sensors_api_key_may_not_call_declare_the_403_it_gets_there()
    {
        var keyRefused = (await OperationsAsync())
            .Where(o => o.Element.TryGetProperty("security", out var security) && !security.EnumerateArray().Any(r => r.TryGetProperty("ApiKey", out _)))
            .ToList();

        keyRefused.Select(o => o.Id).Should().Contain(["Auth_Me", "Alerts_List", "Events_List", "Alerts_Stream"]);
        keyRefused.Should().OnlyContain(o => o.Responses.Contains("403"));
    }

    [Fact]
    public async Task Ingesting_a_changed_repeat_declares_its_409_and_every_paged_list_its_404()
    {
        var operations = (await OperationsAsync()).ToDictionary(o => o.Id);

        operations["Events_Ingest"].Responses.Should().Contain("409");
        foreach (var list in new[] { "Users_List", "Audit_List", "Alerts_List", "Events_List", "Sensors_List", "Alerts_ListEvents", "Alerts_ListComments" })
        {
            operations[list].Responses.Should().Contain("404", list);
        }
    }

    [Fact]
    public async Task The_alert_stream_is_documented_as_text_event_stream()
    {
        var stream = (await OperationsAsync()).Single(o => o.Id == "Alerts_Stream");

        stream.Element.GetProperty("responses").GetProperty("200").GetProperty("content").EnumerateObject().Select(c => c.Name)
            .Should().Equal("text/event-stream");
    }

    [Fact]
    public async Task Errors_are_problem_json_with_the_wire_problem_schema()
    {
        var document = await DocumentAsync();

        foreach (var op in await OperationsAsync())
        {
            foreach (var response in op.Element.GetProperty("responses").EnumerateObject().Where(r => r.Name[0] is '4' or '5'))
            {
                var content = response.Value.GetProperty("content");
                content.EnumerateObject().Select(c => c.Name).Should().Equal(["application/problem+json"], $"{op} {response.Name}");
                content.GetProperty("application/problem+json").GetProperty("schema").GetProperty("$ref").GetString()
                    .Should().Be("#/components/schemas/ProblemDetails");
            }
        }

        var problem = document.RootElement.GetProperty("components").GetProperty("schemas").GetProperty("ProblemDetails").GetProperty("properties");
        problem.EnumerateObject().Select(p => p.Name).Should().Contain(["type", "title", "status", "detail", "trace_id", "errors"]);
    }

    [Fact]
    public async Task Rate_limited_operations_declare_429_with_Retry_After()
    {
        var operations = (await OperationsAsync()).ToDictionary(o => o.Id);

        foreach (var id in new[] { "Auth_Login", "Auth_Register" })
        {
            operations[id].Element.GetProperty("responses").GetProperty("429").GetProperty("headers").TryGetProperty("Retry-After", out _)
                .Should().BeTrue(id);
        }
    }

    [Fact]
    public async Task Paths_end_with_a_slash_and_properties_are_snake_case_as_on_the_wire()
    {
        var document = await DocumentAsync();

        document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).Should().OnlyContain(p => p.EndsWith('/'));
        foreach (var schema in document.RootElement.GetProperty("components").GetProperty("schemas").EnumerateObject())
        {
            if (schema.Value.TryGetProperty("properties", out var properties))
            {
                properties.EnumerateObject().Select(p => p.Name).Should().OnlyContain(n => SnakeCase().IsMatch(n), schema.Name);
            }
        }
    }

    [Fact]
    public async Task Enums_are_string_enums_of_the_wire_values()
    {
        var role = (await DocumentAsync()).RootElement.GetProperty("components").GetProperty("schemas").GetProperty("UserRole");

        role.GetProperty("type").GetString().Should().Be("string");
        role.GetProperty("enum").EnumerateArray().Select(e => e.GetString()).Should().Equal("ANALYST", "ADMIN");
    }

    [Fact]
    public async Task List_filters_are_typed_as_on_the_wire()
    {
        var list = (await OperationsAsync()).Single(o => o.Id == "Alerts_List").Element.GetProperty("parameters")
            .EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("schema"));

        list["page"].GetProperty("type").GetString().Should().Be("integer");
        list["page_size"].GetProperty("maximum").GetDecimal().Should().Be(100);
        list["status"].GetProperty("items").GetProperty("$ref").GetString().Should().Be("#/components/schemas/AlertStatus");
        list["event__severity"].GetProperty("items").GetProperty("$ref").GetString().Should().Be("#/components/schemas/Severity");
        list["created_at__gte"].GetProperty("format").GetString().Should().Be("date-time");
    }

    [Fact]
    public async Task Body_limits_in_the_document_are_the_constants_the_rules_check()
    {
        var schemas = (await DocumentAsync()).RootElement.GetProperty("components").GetProperty("schemas");
        JsonElement Property(string schema, string name) => schemas.GetProperty(schema).GetProperty("properties").GetProperty(name);

        foreach (var tags in new[] { Property("TagsBody", "tags"), Property("BulkBody", "add_tags"), Property("RuleBody", "tags") })
        {
            tags.GetProperty("maxItems").GetInt32().Should().Be(Alert.MaxTags);
            tags.GetProperty("items").GetProperty("maxLength").GetInt32().Should().Be(Alert.TagMaxLength);
            tags.GetProperty("items").GetProperty("pattern").GetString().Should().Be(Alert.TagPattern);
        }

        Property("RuleBody", "techniques").GetProperty("items").GetProperty("maxLength").GetInt32().Should().Be(Detection.TechniqueMaxLength);
        Property("DetectionBody", "technique").GetProperty("pattern").GetString().Should().Be(Detection.TechniquePattern);
        Property("CommentBody", "body").GetProperty("maxLength").GetInt32().Should().Be(AlertComment.BodyMaxLength);
        Property("UpdateStatusBody", "note").GetProperty("maxLength").GetInt32().Should().Be(AlertHistoryEntry.NoteMaxLength);
        Property("EventInput", "source").GetProperty("maxLength").GetInt32().Should().Be(SecurityEvent.SourceMaxLength);
        Property("ChannelConfigBody", "secret").GetProperty("maxLength").GetInt32().Should().Be(ChannelRules.SecretMaxLength);
    }

    [Fact]
    public async Task List_parameter_limits_in_the_document_are_the_constants_the_list_checks()
    {
        var list = (await OperationsAsync()).Single(o => o.Id == "Alerts_List").Element.GetProperty("parameters")
            .EnumerateArray().ToDictionary(p => p.GetProperty("name").GetString()!, p => p.GetProperty("schema"));

        list["event__source"].GetProperty("maxLength").GetInt32().Should().Be(SecurityEvent.SourceMaxLength);
        list["search"].GetProperty("minLength").GetInt32().Should().Be(ListSpec<Alert>.SearchMinLength);
        list["tags"].TryGetProperty("maxLength", out _).Should().BeFalse("the bound is each tag's, not the list's");
        list["tags"].GetProperty("items").GetProperty("maxLength").GetInt32().Should().Be(Alert.TagMaxLength);
    }

    [Fact]
    public async Task The_document_names_no_server_so_it_is_the_same_wherever_it_is_served()
    {
        var document = await DocumentAsync();

        var named = document.RootElement.TryGetProperty("servers", out var servers) && servers.GetArrayLength() > 0;

        named.Should().BeFalse();
    }

    private async Task<JsonDocument> DocumentAsync()
    {
        var response = await factory.CreateClient().GetAsync(new Uri("/swagger/v1/swagger.json", UriKind.Relative));
        response.StatusCode.Should().Be(HttpStatusCode.OK);
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync());
    }

    private async Task<List<Operation>> OperationsAsync()
    {
        var document = await DocumentAsync();
        var operations = new List<Operation>();
        foreach (var path in document.RootElement.GetProperty("paths").EnumerateObject())
        {
            foreach (var method in path.Value.EnumerateObject().Where(m => Methods.Contains(m.Name)))
            {
                var op = method.Value;
                operations.Add(new Operation(
                    $"{method.Name.ToUpperInvariant()} {path.Name}",
                    op.TryGetProperty("operationId", out var id) ? id.GetString() ?? string.Empty : string.Empty,
                    op.GetProperty("tags")[0].GetString() ?? string.Empty,
                    op.GetProperty("responses").EnumerateObject().Select(r => r.Name).ToList(),
                    op));
            }
        }

        return operations;
    }

    [GeneratedRegex("^[A-Z][A-Za-z]+_[A-Z][A-Za-z]+$")]
    private static partial Regex OperationIdPattern();

    [GeneratedRegex("^[a-z][a-z0-9]*(_[a-z0-9]+)*$")]
    private static partial Regex SnakeCase();

    private sealed record Operation(string Route, string Id, string Tag, List<string> Responses, JsonElement Element)
    {
        public override string ToString() => Route;
    }
}
