using ThreatPlatform.Application.Rules.Sigma;
using static ThreatPlatform.Application.UnitTests.Rules.SigmaTestEvents;

namespace ThreatPlatform.Application.UnitTests.Rules;

/// <summary>Sigma's value matching: plain values, wildcards and escapes, every supported modifier, null and lists.</summary>
public sealed class SigmaModifierTests
{
    [Fact]
    public void A_plain_value_matches_the_whole_field_case_insensitively()
    {
        var rule = Rule("Image: 'C:\\Windows\\System32\\cmd.exe'");

        rule.Hits(Event(new { Image = "c:\\windows\\system32\\CMD.EXE" })).Should().BeTrue();
        rule.Hits(Event(new { Image = "C:\\Windows\\System32\\cmd.exe.bak" })).Should().BeFalse();
    }

    [Fact]
    public void A_list_of_values_matches_any_of_them()
    {
        var rule = Rule("Image:\n    - '*\\calc.exe'\n    - '*\\notepad.exe'");

        rule.Hits(Event(new { Image = "C:\\x\\notepad.exe" })).Should().BeTrue();
        rule.Hits(Event(new { Image = "C:\\x\\mspaint.exe" })).Should().BeFalse();
    }

    [Fact]
    public void A_map_needs_every_field_to_match()
    {
        var rule = Rule("EventID: 4688\nCommandLine|contains: whoami");

        rule.Hits(Event(new { EventID = 4688, CommandLine = "cmd /c whoami /all" })).Should().BeTrue();
        rule.Hits(Event(new { EventID = 4624, CommandLine = "cmd /c whoami /all" })).Should().BeFalse();
    }

    [Theory]
    [InlineData("*.exe", "run.exe", true)]
    [InlineData("*.exe", "run.exe.txt", false)]
    [InlineData("r?n.exe", "RUN.exe", true)]
    [InlineData("r?n.exe", "ruun.exe", false)]
    [InlineData("a*b*c", "axxbyyc", true)]
    [InlineData("a*b*c", "axxbyy", false)]
    public void Wildcards_match_any_run_or_one_character(string pattern, string value, bool expected) =>
        Rule($"Name: '{pattern}'").Hits(Event(new { Name = value })).Should().Be(expected);

    [Theory]
    [InlineData(@"what\?", "what?", true)]
    [InlineData(@"what\?", "whatx", false)]
    [InlineData(@"100\*", "100*", true)]
    [InlineData(@"100\*", "1000", false)]
    [InlineData(@"C:\Temp\\*", @"C:\Temp\x", true)]
    [InlineData(@"C:\Temp\\*", @"C:\Temp*", false)]
    public void A_backslash_escapes_wildcards_and_itself_and_is_plain_before_anything_else(string pattern, string value, bool expected) =>
        Rule($"Name: '{pattern}'").Hits(Event(new { Name = value })).Should().Be(expected);

    [Theory]
    [InlineData("contains", "xx mimikatz yy", true)]
    [InlineData("startswith", "mimikatz yy", true)]
    [InlineData("startswith", "xx mimikatz", false)]
    [InlineData("endswith", "xx MIMIKATZ", true)]
    [InlineData("endswith", "mimikatz yy", false)]
    public void Contains_startswith_and_endswith_anchor_the_value(string modifier, string value, bool expected) =>
        Rule($"CommandLine|{modifier}: mimikatz").Hits(Event(new { CommandLine = value })).Should().Be(expected);

    [Fact]
    public void Contains_keeps_the_values_own_wildcards()
    {
        var rule = Rule("CommandLine|contains: 'net * /add'");

        rule.Hits(Event(new { CommandLine = "cmd /c net user bob /add" })).Should().BeTrue();
        rule.Hits(Event(new { CommandLine = "cmd /c net user bob" })).Should().BeFalse();
    }

    [Fact]
    public void All_needs_every_value_of_the_list()
    {
        var rule = Rule("CommandLine|contains|all:\n    - ' -enc '\n    - powershell");

        rule.Hits(Event(new { CommandLine = "powershell.exe -nop -enc AAAA" })).Should().BeTrue();
        rule.Hits(Event(new { CommandLine = "powershell.exe -nop" })).Should().BeFalse();
    }

    [Fact]
    public void Cased_matches_case_sensitively()
    {
        var rule = Rule("CommandLine|contains|cased: AdFind");

        rule.Hits(Event(new { CommandLine = "AdFind.exe -f objectcategory=computer" })).Should().BeTrue();
        rule.Hits(Event(new { CommandLine = "adfind.exe -f objectcategory=computer" })).Should().BeFalse();
    }

    [Fact]
    public void Re_is_a_regular_expression_case_sensitive_by_default()
    {
        var rule = Rule("CommandLine|re: '\\s-[Ee]nc(odedCommand)?\\s'");

        rule.Hits(Event(new { CommandLine = "powershell -EncodedCommand AAAA" })).Should().BeTrue();
        rule.Hits(Event(new { CommandLine = "powershell -ENC AAAA" })).Should().BeFalse();
    }

    [Fact]
    public void Re_with_i_ignores_case_and_with_s_lets_dot_match_newlines()
    {
        Rule("Text|re|i: '^hello world$'").Hits(Event(new { Text = "HELLO World" })).Should().BeTrue();
        Rule("Text|re: '^a.b$'").Hits(Event(new { Text = "a\nb" })).Should().BeFalse();
        Rule("Text|re|s: '^a.b$'").Hits(Event(new { Text = "a\nb" })).Should().BeTrue();
        Rule("Text|re|m: '^b$'").Hits(Event(new { Text = "a\nb" })).Should().BeTrue();
    }

    [Fact]
    public void A_catastrophic_regex_does_not_stall_matching()
    {
        // (a+)+$ backtracks exponentially in a backtracking engine on a's followed by one other character.
        var rule = Rule("Text|re: '^(a+)+$'");

        rule.Hits(Event(new { Text = new string('a', 50_000) + "!" })).Should().BeFalse();
        rule.Hits(Event(new { Text = new string('a', 1000) })).Should().BeTrue();
    }

    [Fact]
    public void A_regex_that_needs_backtracking_is_bounded_by_its_timeout_and_then_does_not_match()
    {
        // A lookahead rules out the non-backtracking engine; inside it the nested quantifier is catastrophic.
        var rule = Rule("Text|re: '^(?=(a+)+$)a'");

        rule.Hits(Event(new { Text = new string('a', 64) + "!" })).Should().BeFalse();
        rule.Hits(Event(new { Text = "aaa" })).Should().BeTrue();
    }

    [Theory]
    [InlineData("10.0.0.0/8", "10.20.30.40", true)]
    [InlineData("10.0.0.0/8", "11.0.0.1", false)]
    [InlineData("192.168.1.0/24", "192.168.1.255", true)]
    [InlineData("2001:db8::/32", "2001:db8::1", true)]
    [InlineData("2001:db8::/32", "10.0.0.1", false)]
    [InlineData("10.0.0.0/8", "not an address", false)]
    public void Cidr_matches_addresses_in_the_range(string range, string address, bool expected) =>
        Rule($"DestinationIp|cidr: '{range}'").Hits(Event(new { DestinationIp = address })).Should().Be(expected);

    [Fact]
    public void Cidr_reads_the_events_own_address_fields()
    {
        var rule = Rule("source_ip|cidr: 203.0.113.0/24");

        rule.Hits(Event(sourceIp: "203.0.113.9")).Should().BeTrue();
        rule.Hits(Event(sourceIp: "198.51.100.9")).Should().BeFalse();
        rule.Hits(Event()).Should().BeFalse();
    }

    [Fact]
    public void Exists_tests_whether_the_field_is_present()
    {
        Rule("User|exists: true").Hits(Event(new { User = "bob" })).Should().BeTrue();
        Rule("User|exists: true").Hits(Event(new { Other = "x" })).Should().BeFalse();
        Rule("User|exists: false").Hits(Event(new { Other = "x" })).Should().BeTrue();
        Rule("User|exists: false").Hits(Event(new { User = "bob" })).Should().BeFalse();
    }

    [Theory]
    [InlineData("gt", 100, false)]
    [InlineData("gt", 101, true)]
    [InlineData("gte", 100, true)]
    [InlineData("lt", 100, false)]
    [InlineData("lt", 99, true)]
    [InlineData("lte", 100, true)]
    public void Numeric_comparisons_compare_numbers(string modifier, int value, bool expected) =>
        Rule($"Bytes|{modifier}: 100").Hits(Event(new { Bytes = value })).Should().Be(expected);

    [Fact]
    public void Numeric_comparisons_read_numbers_sent_as_text_and_never_match_other_text()
    {
        Rule("Bytes|gte: 1.5").Hits(Event(new { Bytes = "2" })).Should().BeTrue();
        Rule("Bytes|gte: 1").Hits(Event(new { Bytes = "many" })).Should().BeFalse();
    }

    [Fact]
    public void Base64_matches_the_encoded_value()
    {
        // "http://" in base64 is aHR0cDovLw==
        var rule = Rule("Payload|base64: 'http://'");

        rule.Hits(Event(new { Payload = "aHR0cDovLw==" })).Should().BeTrue();
        rule.Hits(Event(new { Payload = "http://" })).Should().BeFalse();
    }

    [Theory]
    [InlineData("")]
    [InlineData(" ")]
    [InlineData("  ")]
    public void Base64offset_contains_finds_the_value_at_each_alignment_inside_base64(string prefix)
    {
        var rule = Rule("Payload|base64offset|contains: 'Invoke-Mimikatz'");
        var encoded = Convert.ToBase64String(System.Text.Encoding.UTF8.GetBytes(prefix + "IEX (Invoke-Mimikatz -DumpCreds)"));

        rule.Hits(Event(new { Payload = "powershell -enc " + encoded })).Should().BeTrue();
    }

    [Fact]
    public void Base64offset_does_not_match_text_that_does_not_encode_the_value() =>
        Rule("Payload|base64offset|contains: 'Invoke-Mimikatz'")
            .Hits(Event(new { Payload = Convert.ToBase64String("Get-Process"u8.ToArray()) })).Should().BeFalse();

    [Theory]
    [InlineData("net user /add", true)]
    [InlineData("net user -add", true)]
    [InlineData("net user \u2013add", true)]
    [InlineData("net user \u2014add", true)]
    [InlineData("net user \u2015add", true)]
    [InlineData("net user +add", false)]
    public void Windash_matches_a_flag_with_any_dash(string commandLine, bool expected) =>
        Rule("CommandLine|windash|contains: ' -add'").Hits(Event(new { CommandLine = commandLine })).Should().Be(expected);

    [Fact]
    public void Windash_leaves_a_dash_inside_a_word_alone() =>
        Rule("CommandLine|windash|contains: 'Invoke-Expression'")
            .Hits(Event(new { CommandLine = "Invoke/Expression" })).Should().BeFalse();

    [Fact]
    public void Null_matches_an_absent_or_null_field()
    {
        var rule = Rule("ParentImage: null");

        rule.Hits(Event(new { Image = "x" })).Should().BeTrue();
        rule.Hits(Event("{\"ParentImage\": null}")).Should().BeTrue();
        rule.Hits(Event(new { ParentImage = "x" })).Should().BeFalse();
    }

    [Fact]
    public void An_empty_string_matches_only_an_empty_value()
    {
        var rule = Rule("ParentImage: ''");

        rule.Hits(Event(new { ParentImage = "" })).Should().BeTrue();
        rule.Hits(Event(new { ParentImage = "x" })).Should().BeFalse();
        rule.Hits(Event(new { Image = "x" })).Should().BeFalse();
    }

    [Fact]
    public void A_metadata_array_matches_when_any_element_does() =>
        Rule("Hashes|contains: 'MD5=ABC'").Hits(Event("{\"Hashes\": [\"SHA1=1\", \"MD5=abc\"]}")).Should().BeTrue();

    [Fact]
    public void Fields_are_the_events_wire_fields_then_metadata_keys_then_dotted_paths()
    {
        Rule("event_type: auth_failure").Hits(Event(eventType: "auth_failure")).Should().BeTrue();
        Rule("severity: low").Hits(Event()).Should().BeTrue();
        Rule("process.name: sshd").Hits(Event(new { process = new { name = "sshd" } })).Should().BeTrue();
        Rule("process.name: sshd").Hits(Event("{\"process.name\": \"sshd\", \"process\": {\"name\": \"bash\"}}")).Should().BeTrue();
        Rule("process.name: sshd").Hits(Event(new { process = new { pid = 1 } })).Should().BeFalse();
    }

    [Fact]
    public void Numbers_and_booleans_match_their_text()
    {
        Rule("EventID: 4625").Hits(Event(new { EventID = "4625" })).Should().BeTrue();
        Rule("Elevated: true").Hits(Event(new { Elevated = true })).Should().BeTrue();
    }
}
