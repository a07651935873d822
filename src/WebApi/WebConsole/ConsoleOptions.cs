namespace ThreatPlatform.WebApi.WebConsole;

/// <summary>Where the built console is (section <c>Console</c>).</summary>
public sealed class ConsoleOptions
{
    public const string Section = "Console";

    /// <summary>The folder holding the build's index.html, absolute or relative to the content root; unset, the nearest web/dist.</summary>
    public string? Root { get; set; }
}
