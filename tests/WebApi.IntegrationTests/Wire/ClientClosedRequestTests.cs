using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using NSubstitute;
using ThreatPlatform.WebApi.Common;

namespace ThreatPlatform.WebApi.IntegrationTests.Wire;

/// <summary>
/// A client that hangs up while its request runs (a load generator stopping mid-commit) is a 499 logged as information,
/// not a 500 with a stack trace; a real failure on an aborted request is still a logged 500.
/// </summary>
public sealed class ClientClosedRequestTests
{
    private readonly IProblemDetailsService problems = Substitute.For<IProblemDetailsService>();
    private readonly RecordingLogger logger = new();

    [Theory]
    [InlineData(typeof(OperationCanceledException))]
    [InlineData(typeof(IOException))]
    public async Task A_cancellation_after_the_client_left_is_a_499_without_an_error(Type exceptionType)
    {
        var http = Aborted();

        var handled = await Handler().TryHandleAsync(http, (Exception)Activator.CreateInstance(exceptionType)!, CancellationToken.None);

        handled.Should().BeTrue("a handler that does not handle it lets the middleware rethrow, logged as a 500");
        http.Response.StatusCode.Should().Be(StatusCodes.Status499ClientClosedRequest);
        logger.Levels.Should().Equal(LogLevel.Information);
        await problems.DidNotReceiveWithAnyArgs().TryWriteAsync(default!);
    }

    [Fact]
    public async Task A_failure_of_ours_on_an_aborted_request_is_still_a_logged_500()
    {
        var http = Aborted();
        problems.TryWriteAsync(Arg.Any<ProblemDetailsContext>()).Returns(true);

        await Handler().TryHandleAsync(http, new InvalidOperationException("boom"), CancellationToken.None);

        http.Response.StatusCode.Should().Be(StatusCodes.Status500InternalServerError);
        logger.Levels.Should().Equal(LogLevel.Error);
    }

    private ProblemDetailsExceptionHandler Handler() => new(problems, logger);

    private static DefaultHttpContext Aborted()
    {
        var http = new DefaultHttpContext { RequestAborted = new CancellationToken(canceled: true) };
        http.Request.Method = "POST";
        http.Request.Path = "/api/events/";
        return http;
    }

    private sealed class RecordingLogger : ILogger<ProblemDetailsExceptionHandler>
    {
        public List<LogLevel> Levels { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Levels.Add(logLevel);
    }
}
