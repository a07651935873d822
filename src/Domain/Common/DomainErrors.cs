namespace ThreatPlatform.Domain.Common;

/// <summary>Base of every known, refused condition; WebApi maps each subtype to one problem+json status.</summary>
public abstract class DomainException(string message) : Exception(message);

/// <summary>The thing asked for does not exist (404).</summary>
public sealed class NotFound(string resource, object id) : DomainException($"{resource} {id} was not found.");

/// <summary>
/// The request clashes with the current state (409), e.g. a duplicate or a lost concurrent update. <see cref="Member"/>
/// is the entity member at fault (<c>nameof(User.IsActive)</c>); WebApi chooses its wire name.
/// </summary>
public class Conflict(string message, string? member = null) : DomainException(message)
{
    public string? Member { get; } = member;
}

/// <summary>
/// The caller is known but may not do this (403). <see cref="Member"/> is the member at fault
/// (<c>nameof(SecurityEvent.Source)</c>); WebApi chooses its wire name.
/// </summary>
public class Forbidden(string message, string? member = null) : DomainException(message)
{
    public string? Member { get; } = member;
}

/// <summary>
/// A value the entity refuses whatever its state (400), e.g. a malformed tag or an inactive assignee. <see cref="Member"/>
/// is the entity member at fault; WebApi chooses its wire name.
/// </summary>
public class Invalid(string message, string member) : DomainException(message)
{
    public string Member { get; } = member;
}
