using ThreatPlatform.Application.Rules.Sigma;

namespace ThreatPlatform.Application.UnitTests.Rules;

/// <summary>A document that is not valid Sigma, or uses what is not supported, is refused with the line and column of the problem.</summary>
public sealed class SigmaErrorTests
{
    private static SigmaError ErrorOf(string yaml)
    {
        var act = () => SigmaCompiler.Compile(yaml);
        return act.Should().Throw<SigmaException>().Which.Errors[0];
    }

    [Fact]
    public void Broken_yaml_names_where_it_breaks()
    {
        var error = ErrorOf("title: x\ndetection:\n  selection: [a, b\n  condition: selection\n");

        error.Line.Should().BeGreaterThanOrEqualTo(3);
        error.Message.Should().StartWith("Not valid YAML");
    }

    [Fact]
    public void An_unknown_modifier_is_named_at_its_field()
    {
        var error = ErrorOf("title: x\ndetection:\n    selection:\n        Image|bogus: a\n    condition: selection\n");

        error.Should().Be(new SigmaError(4, 9, "Unknown modifier 'bogus'."));
    }

    [Theory]
    [InlineData("utf16le")]
    [InlineData("expand")]
    [InlineData("fieldref")]
    public void A_modifier_the_platform_does_not_support_is_named_unsupported(string modifier) =>
        ErrorOf($"title: x\ndetection:\n    selection:\n        Image|{modifier}: a\n    condition: selection\n")
            .Message.Should().Be($"The modifier '{modifier}' is not supported.");

    [Fact]
    public void An_unknown_identifier_in_the_condition_is_pointed_at()
    {
        var error = ErrorOf("title: x\ndetection:\n    selection:\n        A: b\n    condition: selection and not filter\n");

        error.Line.Should().Be(5);
        error.Column.Should().Be(34);
        error.Message.Should().Contain("'filter' is not a search identifier");
    }

    [Theory]
    [InlineData("selection and", "ends")]
    [InlineData("(selection", "not closed")]
    [InlineData("selection selection", "Unexpected 'selection'")]
    [InlineData("2 of sel*", "'2 of' is not supported")]
    [InlineData("1 of nothing*", "names no search identifier")]
    [InlineData("sel*", "is a pattern")]
    [InlineData("selection | near other", "count(")]
    [InlineData("selection | max(x) > 3", "'max()' is not supported")]
    public void A_malformed_condition_says_what_is_wrong(string condition, string message) =>
        ErrorOf($"title: x\ndetection:\n    selection:\n        A: b\n    condition: {condition}\n").Message.Should().Contain(message);

    [Fact]
    public void A_missing_title_or_detection_is_named()
    {
        ErrorOf("detection:\n    selection:\n        A: b\n    condition: selection\n").Message.Should().Contain("'title' is required");
        ErrorOf("title: x\nlevel: high\n").Message.Should().Contain("'detection' is missing");
        ErrorOf("title: x\ndetection:\n    selection:\n        A: b\n").Message.Should().Contain("'condition' is missing");
    }

    [Fact]
    public void An_invalid_regular_expression_is_named_at_its_value()
    {
        var error = ErrorOf("title: x\ndetection:\n    selection:\n        A|re: '(unclosed'\n    condition: selection\n");

        error.Line.Should().Be(4);
        error.Column.Should().Be(15);
        error.Message.Should().StartWith("Not a valid regular expression");
    }

    [Theory]
    [InlineData("A|cidr: 10.0.0.0/33", "not a CIDR range")]
    [InlineData("A|gt: ten", "not a number")]
    [InlineData("A|exists: maybe", "'exists' takes true or false")]
    [InlineData("A|contains|all: one", "at least two values")]
    [InlineData("A|re|contains: x", "stand alone")]
    [InlineData("A|i: x", "sub-modifier of 're'")]
    [InlineData("A|contains|endswith: x", "cannot follow")]
    [InlineData("A:\n            nested: map", "must be a value or a list of values")]
    public void A_bad_value_or_modifier_combination_says_what_is_wrong(string selection, string message) =>
        ErrorOf($"title: x\ndetection:\n    selection:\n        {selection}\n    condition: selection\n").Message.Should().Contain(message);

    [Fact]
    public void An_unknown_level_is_refused() =>
        ErrorOf("title: x\nlevel: severe\ndetection:\n    selection:\n        A: b\n    condition: selection\n")
            .Should().Be(new SigmaError(2, 8, "'level' must be one of informational, low, medium, high, critical."));

    [Fact]
    public void Several_rules_without_a_correlation_are_refused() =>
        ErrorOf("title: x\ndetection:\n    s:\n        A: b\n    condition: s\n---\ntitle: y\ndetection:\n    s:\n        A: b\n    condition: s\n")
            .Message.Should().Contain("Only a correlation rule");

    [Fact]
    public void A_correlation_naming_a_rule_that_is_not_in_the_document_is_refused() =>
        ErrorOf("title: c\ncorrelation:\n    type: event_count\n    rules:\n        - missing_rule\n    timespan: 5m\n    condition:\n        gte: 3\n")
            .Should().Be(new SigmaError(5, 11, "The rule 'missing_rule' is not in this document: add it as another YAML document (after '---') with 'name: missing_rule'."));

    [Theory]
    [InlineData("type: temporal_ordered", "not supported")]
    [InlineData("type: value_sum", "Unknown correlation type")]
    public void An_unsupported_correlation_type_is_refused(string type, string message) =>
        ErrorOf($"title: c\ncorrelation:\n    {type}\n    rules: [r]\n    timespan: 5m\n    condition:\n        gte: 3\n---\nname: r\ntitle: r\ndetection:\n    s:\n        A: b\n    condition: s\n")
            .Message.Should().Contain(message);

    [Theory]
    [InlineData("timespan: 5 minutes", "not a timespan")]
    [InlineData("timespan: 5m\n    condition:\n        lt: 3", "lower bound")]
    public void A_correlation_needs_a_timespan_and_a_lower_bound(string lines, string message)
    {
        var condition = lines.Contains("condition", StringComparison.Ordinal) ? string.Empty : "\n    condition:\n        gte: 3";
        ErrorOf($"title: c\ncorrelation:\n    type: event_count\n    rules: [r]\n    {lines}{condition}\n---\nname: r\ntitle: r\ndetection:\n    s:\n        A: b\n    condition: s\n")
            .Message.Should().Contain(message);
    }

    [Fact]
    public void An_aggregation_without_a_timeframe_is_refused() =>
        ErrorOf("title: x\ndetection:\n    s:\n        A: b\n    condition: s | count() > 5\n").Message.Should().Contain("needs 'timeframe'");

    [Fact]
    public void Several_problems_are_all_reported()
    {
        var act = () => SigmaCompiler.Compile("title: x\nlevel: severe\ndetection:\n    s:\n        A|bogus: b\n    condition: s\n");

        act.Should().Throw<SigmaException>().Which.Errors.Should().HaveCount(2);
    }
}
