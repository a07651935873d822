namespace ThreatPlatform.WebApi.Common;

/// <summary>
/// A request body refused before its content is looked at (413, 415): ProblemDetailsExceptionHandler answers it with
/// this status and title, and the message as the detail.
/// </summary>
internal class RequestBodyRejected(int status, string title, string detail) : Exception(detail)
{
    public int Status { get; } = status;

    public string Title { get; } = title;
}
