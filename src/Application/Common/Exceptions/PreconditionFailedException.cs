namespace ThreatPlatform.Application.Common.Exceptions;

/// <summary>The request's precondition (If-Match) does not hold for the resource as stored (412).</summary>
public sealed class PreconditionFailedException(string message) : Exception(message);
