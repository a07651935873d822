namespace ThreatPlatform.Application.Common.Interfaces;

/// <summary>The request's If-Match precondition on the one resource it changes (absent or <c>*</c>: anything matches).</summary>
public interface IIfMatch
{
    bool Allows(uint version);

    /// <summary>True when the caller named the version it read (not absent, not <c>*</c>): its change is to that version only.</summary>
    bool NamesAVersion { get; }
}
