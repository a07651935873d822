using ThreatPlatform.Application.Rules.Sigma;
using static ThreatPlatform.Application.UnitTests.Rules.SigmaTestEvents;

namespace ThreatPlatform.Application.UnitTests.Rules;

/// <summary>The condition language: precedence, parentheses, 1 of / all of with patterns and them, keywords, lists of maps.</summary>
public sealed class SigmaConditionTests
{
    // Three selections on one field each, so a condition's truth table is easy to read: a, b, c are present or not.
    private static SigmaRule Conditioned(string condition) => SigmaCompiler.Compile($"""
        title: Condition test
        detection:
            sel_a:
                A: 'yes'
            sel_b:
                B: 'yes'
            filter_c:
                C: 'yes'
            condition: {condition}
        """);

    private static SigmaEvent With(bool a, bool b, bool c) =>
        Event(new { A = a ? "yes" : "no", B = b ? "yes" : "no", C = c ? "yes" : "no" });

    [Theory]
    [InlineData(true, false, false, true)]
    [InlineData(false, true, true, true)]
    [InlineData(false, true, false, false)]
    [InlineData(false, false, true, false)]
    public void And_binds_tighter_than_or(bool a, bool b, bool c, bool expected) =>
        Conditioned("sel_a or sel_b and filter_c").Hits(With(a, b, c)).Should().Be(expected);

    [Theory]
    [InlineData(true, false, true)]
    [InlineData(true, true, false)]
    [InlineData(false, false, true)]
    public void Not_binds_tighter_than_and(bool a, bool b, bool expected) =>
        Conditioned("not sel_b and sel_a or not sel_a and not sel_b").Hits(With(a, b, false)).Should().Be(expected);

    [Theory]
    [InlineData(true, false, false, false)]
    [InlineData(true, false, true, true)]
    [InlineData(false, true, true, true)]
    public void Parentheses_group_first(bool a, bool b, bool c, bool expected) =>
        Conditioned("(sel_a or sel_b) and filter_c").Hits(With(a, b, c)).Should().Be(expected);

    [Fact]
    public void The_usual_selection_and_not_filter_shape()
    {
        var rule = Conditioned("sel_a and not filter_c");

        rule.Hits(With(true, false, false)).Should().BeTrue();
        rule.Hits(With(true, false, true)).Should().BeFalse();
    }

    [Fact]
    public void One_of_a_pattern_needs_any_matching_identifier()
    {
        var rule = Conditioned("1 of sel_*");

        rule.Hits(With(false, true, false)).Should().BeTrue();
        rule.Hits(With(false, false, true)).Should().BeFalse();
    }

    [Fact]
    public void All_of_a_pattern_needs_every_matching_identifier()
    {
        var rule = Conditioned("all of sel_*");

        rule.Hits(With(true, true, false)).Should().BeTrue();
        rule.Hits(With(true, false, true)).Should().BeFalse();
    }

    [Fact]
    public void Them_is_every_identifier()
    {
        Conditioned("all of them").Hits(With(true, true, true)).Should().BeTrue();
        Conditioned("all of them").Hits(With(true, true, false)).Should().BeFalse();
        Conditioned("1 of them").Hits(With(false, false, true)).Should().BeTrue();
        Conditioned("1 of them").Hits(With(false, false, false)).Should().BeFalse();
    }

    [Fact]
    public void Them_leaves_out_identifiers_starting_with_an_underscore()
    {
        var rule = SigmaCompiler.Compile("""
            title: Underscore
            detection:
                selection:
                    A: 'yes'
                _helper:
                    B: 'yes'
                condition: all of them
            """);

        rule.Matches!(Event(new { A = "yes", B = "no" })).Should().BeTrue();
    }

    [Fact]
    public void Quantifiers_combine_with_not_and_parentheses() =>
        Conditioned("1 of sel_* and not (filter_c or sel_b)").Hits(With(true, false, false)).Should().BeTrue();

    [Fact]
    public void A_list_of_maps_matches_when_any_map_does()
    {
        var rule = SigmaCompiler.Compile("""
            title: Any map
            detection:
                selection:
                    - Image|endswith: '\rundll32.exe'
                      CommandLine|contains: 'javascript:'
                    - OriginalFileName: 'RUNDLL32.EXE'
                condition: selection
            """);

        rule.Matches!(Event(new { Image = "C:\\w\\rundll32.exe", CommandLine = "x javascript:y" })).Should().BeTrue();
        rule.Matches!(Event(new { OriginalFileName = "rundll32.exe" })).Should().BeTrue();
        rule.Matches!(Event(new { Image = "C:\\w\\rundll32.exe", CommandLine = "x" })).Should().BeFalse();
    }

    [Fact]
    public void Keywords_are_found_anywhere_in_the_description_or_metadata_text()
    {
        var rule = SigmaCompiler.Compile("""
            title: Keywords
            detection:
                keywords:
                    - 'Failed password'
                    - 'authentication failure'
                condition: keywords
            """);

        rule.Matches!(Event(description: "sshd[12]: Failed password for root")).Should().BeTrue();
        rule.Matches!(Event(new { message = "pam_unix: AUTHENTICATION FAILURE; user=x" })).Should().BeTrue();
        rule.Matches!(Event(description: "Accepted password for root")).Should().BeFalse();
    }

    [Fact]
    public void A_list_of_conditions_matches_when_any_does() =>
        Conditioned("\n        - sel_a\n        - filter_c").Hits(With(false, false, true)).Should().BeTrue();

    [Fact]
    public void A_rule_with_a_logsource_applies_only_to_events_of_a_sensor_with_that_logsource()
    {
        var rule = SigmaCompiler.Compile("""
            title: Linux only
            logsource:
                product: linux
                service: sshd
            detection:
                selection:
                    event_type: auth_failure
                condition: selection
            """);
        var e = (SigmaLogsource? logsource) => Event(eventType: "auth_failure", logsource: logsource);

        rule.Matches!(e(new SigmaLogsource("Linux", "authentication", "sshd"))).Should().BeTrue();
        rule.Matches!(e(new SigmaLogsource("linux", null, null))).Should().BeFalse();
        rule.Matches!(e(null)).Should().BeFalse();
    }

    [Fact]
    public void Metadata_comes_out_of_the_document()
    {
        var rule = SigmaCompiler.Compile("""
            title: Encoded PowerShell
            id: 5c3b2f61-0000-4000-8000-000000000001
            status: experimental
            level: critical
            tags:
                - attack.execution
                - attack.t1059.001
            logsource:
                category: process_creation
                product: windows
            detection:
                selection:
                    CommandLine|contains: ' -enc '
                condition: selection
            """);

        rule.Title.Should().Be("Encoded PowerShell");
        rule.SigmaId.Should().Be("5c3b2f61-0000-4000-8000-000000000001");
        rule.Status.Should().Be("experimental");
        rule.Level.Should().Be(SigmaLevel.Critical);
        rule.Technique.Should().Be("T1059.001");
        rule.Logsource.Should().Be(new SigmaLogsource("windows", "process_creation", null));
        rule.IsCorrelation.Should().BeFalse();
    }
}
