using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Http.Metadata;

namespace ThreatPlatform.WebApi.Common;

/// <summary>
/// The one place an endpoint's body limit (its <see cref="IRequestSizeLimitMetadata"/>, else the default) is applied:
/// a body whose declared length is over it is a 413 before any of it is read, and an endpoint that declares its own
/// limit gets it from the server too, so Kestrel enforces it on chunked bodies as they stream.
/// </summary>
internal static class RequestBodyLimit
{
    public static IApplicationBuilder UseRequestBodyLimit(this IApplicationBuilder app, long defaultLimit) => app.Use((context, next) =>
    {
        var declared = context.GetEndpoint()?.Metadata.GetMetadata<IRequestSizeLimitMetadata>()?.MaxRequestBodySize;
        if (declared is not null && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } server)
        {
            server.MaxRequestBodySize = declared;
        }

        var limit = declared ?? defaultLimit;
        if (context.Request.ContentLength > limit)
        {
            throw new BadHttpRequestException($"The request body is larger than {limit} bytes.", StatusCodes.Status413PayloadTooLarge);
        }

        return next(context);
    });
}
