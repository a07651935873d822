using Microsoft.AspNetCore.Http.Metadata;

namespace ThreatPlatform.WebApi.Common;

/// <summary>
/// Refuses a body whose declared length is over the endpoint's limit (its <see cref="IRequestSizeLimitMetadata"/>, else
/// the default) with a 413 before any of it is read. Kestrel enforces the same limits on chunked bodies as they stream.
/// </summary>
internal static class RequestBodyLimit
{
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app, long defaultLimit) => app.Use((context, next) =>
    {
        var limit = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize ?? defaultLimit;
        if (context.Request.ContentLength > limit)
        {
            throw new BadHttpRequestException($"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        return next(context);
    });
}
