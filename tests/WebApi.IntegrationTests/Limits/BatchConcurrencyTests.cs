using System.Globalization;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using ThreatPlatform.Domain.Users;
using ThreatPlatform.WebApi.IntegrationTests.Auth;
using ThreatPlatform.WebApi.IntegrationTests.Events;
using ThreatPlatform.WebApi.IntegrationTests.Support;
using ThreatPlatform.WebApi.Limits;

namespace ThreatPlatform.WebApi.IntegrationTests.Limits;

/// <summary>The API working on at most one batch at a time.</summary>
public sealed class OneBatchApiFactory : ApiFactory
{
    protected override void ConfigureTestServices(IWebHostBuilder builder) =>
        builder.UseSetting("RateLimiting:MaxConcurrentBatches", "1");
}

public sealed class BatchConcurrencyTests(OneBatchApiFactory factory) : IClassFixture<OneBatchApiFactory>
{
    [Fact]
    public async Task A_batch_over_the_process_bound_gets_a_429_with_retry_after_and_passes_once_a_slot_is_free()
    {
        var client = await factory.CreateClientAsAsync(UserRole.Analyst);
        var source = BatchApi.NewSource();
        using var held = new HeldBody(BatchApi.Line(BatchApi.Event(source, externalId: "held-1")) + "\n");
        using var content = new StreamContent(held);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-ndjson");
        var first = client.PostAsync(BatchApi.Batch, content);
        await held.FirstLineRead.Task.WaitAsync(TimeSpan.FromSeconds(30));
        await SlotTakenAsync();

        var refused = await client.PostNdjsonAsync([BatchApi.Line(BatchApi.Event(source, externalId: "second"))]);

        var problem = await refused.ShouldBeProblemAsync(429);
        problem.GetProperty("detail").GetString().Should().Contain("batches");
        int.Parse(refused.Headers.GetValues("Retry-After").Single(), CultureInfo.InvariantCulture).Should().BeGreaterThanOrEqualTo(1);

        held.Finish();
        (await (await first).ShouldBeBatchAnswerAsync()).Accepted.Should().Be(1);
        (await (await client.PostNdjsonAsync([BatchApi.Line(BatchApi.Event(source, externalId: "second"))])).ShouldBeBatchAnswerAsync())
            .Accepted.Should().Be(1, "the slot is free again once the first batch is answered");
    }

    // The body reaches the server as it is sent, but the server's pipeline may start a moment later.
    private async Task SlotTakenAsync()
    {
        var slots = factory.Services.GetRequiredService<BatchConcurrency>();
        for (var i = 0; i < 600 && slots.InProgress == 0; i++)
        {
            await Task.Delay(50);
        }

        slots.InProgress.Should().Be(1, "the held batch has the one slot");
    }

    /// <summary>An NDJSON body that sends its first line, then holds the request open until the test finishes it.</summary>
    private sealed class HeldBody(string firstLine) : Stream
    {
        private readonly byte[] _first = Encoding.UTF8.GetBytes(firstLine);
        private readonly TaskCompletionSource _finish = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _position;

        public TaskCompletionSource FirstLineRead { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public void Finish() => _finish.TrySetResult();

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            if (_position < _first.Length)
            {
                var count = Math.Min(buffer.Length, _first.Length - _position);
                _first.AsMemory(_position, count).CopyTo(buffer);
                _position += count;
                return count;
            }

            // The client has sent the first line: the server holds the batch open (and its slot) from here.
            FirstLineRead.TrySetResult();
            await _finish.Task.WaitAsync(cancellationToken);
            return 0;
        }

        public override int Read(byte[] buffer, int offset, int count) => ReadAsync(buffer.AsMemory(offset, count)).AsTask().GetAwaiter().GetResult();

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
