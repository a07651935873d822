using System.ComponentModel.DataAnnotations;
using System.Diagnostics;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using ThreatPlatform.Application.Events.IngestBatch;
using ThreatPlatform.Application.Events.IngestEvent;
using ThreatPlatform.Domain.Alerts;
using ThreatPlatform.Domain.SecurityEvents;

namespace ThreatPlatform.Infrastructure.Persistence.GroupCommit;

/// <summary>Group commit of single ingest (section <c>GroupCommit</c>).</summary>
public sealed class GroupCommitOptions
{
    public const string Section = "GroupCommit";

    /// <summary>The most events one group (one transaction) takes; the rest wait for the next.</summary>
    [Range(1, 10_000)]
    public int MaxEvents { get; set; } = 256;

    /// <summary>
    /// How long a writer that starts a group while another group is being written waits for more events to join
    /// (microseconds; 0 = never). A writer that starts while no other group is being written never waits.
    /// </summary>
    [Range(0, 100_000)]
    public int LingerMicroseconds { get; set; } = 200;

    /// <summary>Groups written at once (each on its own connection); a request beyond them waits for the next group.</summary>
    [Range(1, 64)]
    public int Writers { get; set; } = 2;
}

/// <summary>
/// The group writer: single-ingest requests queue their events; a writer (at most <see cref="GroupCommitOptions.Writers"/>
/// at once) takes what is queued, up to <see cref="GroupCommitOptions.MaxEvents"/>, and writes it in one transaction
/// through <see cref="IEventBatchWriter.WriteEachAsync"/>. A request that finds no event queued and a writer free writes
/// its event on its own, through the domain (<see cref="TryWriteAlone"/>); one that finds events queued becomes a writer
/// when one is free and writes at once; when a writer is done it takes whatever queued meanwhile, until the queue is
/// empty. A group never holds two events with one (source, external_id): the later one waits for the next group and
/// meets the first as a stored twin, as it would have one transaction later on its own.
/// <para>
/// Writes run on no request's cancellation token: an aborted request cannot cut a group's transaction short (nor leave
/// a connection idle in transaction); an event withdrawn before a writer took it is simply skipped.
/// </para>
/// </summary>
public sealed class EventGroupWriter(
    IServiceScopeFactory scopes,
    GroupCommitOptions options,
    SlaPolicy sla,
    TimeProvider clock,
    ILogger<EventGroupWriter> logger) : IEventGroupWriter
{
    private readonly Lock _gate = new();
    private readonly List<Pending> _queue = [];
    private int _writing;
    private long _groups;
    private long _alone;

    /// <summary>Events queued for the next group (taken by no writer yet); for tests and diagnostics.</summary>
    public int Queued
    {
        get
        {
            lock (_gate)
            {
                return _queue.Count(p => p.IsQueued);
            }
        }
    }

    /// <summary>Transactions written so far (groups, and the one-event writes of a group that failed).</summary>
    public long Groups => Interlocked.Read(ref _groups);

    /// <summary>Events written on their own so far (<see cref="TryWriteAlone"/>); for tests and diagnostics.</summary>
    public long Alone => Interlocked.Read(ref _alone);

    public IDisposable? TryWriteAlone()
    {
        lock (_gate)
        {
            if (_writing >= options.Writers || _queue.Exists(p => p.IsQueued))
            {
                return null;
            }

            _writing++;
        }

        Interlocked.Increment(ref _alone);
        return new AloneTurn(this);
    }

    /// <summary>A lone write is done: its writer takes what queued meanwhile, or gives its place back.</summary>
    private void EndAlone()
    {
        lock (_gate)
        {
            if (!_queue.Exists(p => p.IsQueued))
            {
                _queue.Clear();
                _writing--;
                return;
            }
        }

        _ = Task.Run(() => WriteQueuedAsync(null));
    }

    public async Task<WrittenEvent?> WriteAsync(SecurityEvent securityEvent, RuleHits ruleHits, CancellationToken cancellationToken)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var pending = new Pending(securityEvent, ruleHits);
        bool writes;
        lock (_gate)
        {
            _queue.Add(pending);
            writes = _writing < options.Writers;
            if (writes)
            {
                _writing++;
            }
        }

        if (writes)
        {
            // This request writes: its own event's group first (it waits for that anyway), then, off its path, whatever
            // queued meanwhile.
            await WriteQueuedAsync(pending);
            return await pending.Answer;
        }

        using (cancellationToken.Register(static p => ((Pending)p!).Withdraw(), pending))
        {
            return await pending.Answer;
        }
    }

    /// <summary>
    /// Writes group after group until the queue is empty. A request writing (<paramref name="own"/>) hands the rest over
    /// to a thread-pool task once its own event is answered, so that it answers without waiting for later groups.
    /// </summary>
    private async Task WriteQueuedAsync(Pending? own)
    {
        while (true)
        {
            if (own is null || !own.Answer.IsCompleted)
            {
                await LingerAsync();
            }

            List<Pending> group;
            lock (_gate)
            {
                if (!_queue.Exists(p => p.IsQueued))
                {
                    _queue.Clear();
                    _writing--;
                    return;
                }

                group = own is { Answer.IsCompleted: true } ? [] : TakeGroup();
            }

            if (group.Count == 0)
            {
                _ = Task.Run(() => WriteQueuedAsync(null));
                return;
            }

            await WriteGroupAsync(group);
        }
    }

    /// <summary>
    /// While another group is being written, waits up to the linger time for more events to join this one (the queue
    /// reaching a full group ends it early). Timers tick in milliseconds, so the wait yields its thread in a loop: other
    /// requests run meanwhile and queue their events.
    /// </summary>
    private async Task LingerAsync()
    {
        if (options.LingerMicroseconds == 0)
        {
            return;
        }

        var deadline = Stopwatch.GetTimestamp() + (options.LingerMicroseconds * Stopwatch.Frequency / 1_000_000);
        while (Stopwatch.GetTimestamp() < deadline)
        {
            lock (_gate)
            {
                if (_writing < 2 || _queue.Count >= options.MaxEvents)
                {
                    return;
                }
            }

            await Task.Yield();
        }
    }

    /// <summary>The queued events, oldest first, up to a full group, one per (source, external_id); under the gate.</summary>
    private List<Pending> TakeGroup()
    {
        var group = new List<Pending>();
        var keys = new HashSet<(string, string)>();
        var rest = new List<Pending>();
        foreach (var pending in _queue.Where(p => p.IsQueued))
        {
            if (group.Count >= options.MaxEvents
                || (pending.Event.ExternalId is { } externalId && !keys.Add((pending.Event.Source, externalId))))
            {
                rest.Add(pending);
            }
            else if (pending.Take())
            {
                group.Add(pending);
            }
        }

        _queue.Clear();
        _queue.AddRange(rest);
        return group;
    }

    private async Task WriteGroupAsync(List<Pending> group)
    {
        try
        {
            var written = await WriteEachAsync(group);
            for (var i = 0; i < group.Count; i++)
            {
                group[i].Answered(written[i]);
            }
        }
        catch (Exception e) when (group.Count > 1)
        {
            // One event's failure must not be the others': each is written again on its own, and only its own fails.
            logger.LogWarning(e, "A group of {Events} single-ingest events failed; writing them one at a time", group.Count);
            foreach (var pending in group)
            {
                await WriteAloneAsync(pending);
            }
        }
        catch (Exception e)
        {
            group[0].Failed(e);
        }
    }

    private async Task WriteAloneAsync(Pending pending)
    {
        try
        {
            pending.Answered((await WriteEachAsync([pending]))[0]);
        }
        catch (Exception e)
        {
            pending.Failed(e);
        }
    }

    private async Task<IReadOnlyList<WrittenEvent?>> WriteEachAsync(List<Pending> group)
    {
        var events = new List<SecurityEvent>(group.Count);
        var matches = new List<(int, Domain.Rules.RuleMatch)>();
        var correlations = new List<(int, Application.Rules.Common.CorrelationObservation)>();
        foreach (var pending in group)
        {
            var index = events.Count;
            events.Add(pending.Event);
            matches.AddRange(pending.RuleHits.Matches.Select(m => (index, m.Rule)));
            correlations.AddRange(pending.RuleHits.Correlations.Select(c => (index, c.Observation)));
        }

        await using var scope = scopes.CreateAsyncScope();
        var writer = scope.ServiceProvider.GetRequiredService<IEventBatchWriter>();
        Interlocked.Increment(ref _groups);
        var result = await writer.WriteEachAsync(
            events, SeverityRules.AlertingSeverities, sla, clock.GetUtcNow(), new RuleHits(matches, correlations), CancellationToken.None);
        return result.Events;
    }

    private sealed class AloneTurn(EventGroupWriter writer) : IDisposable
    {
        private int _ended;

        public void Dispose()
        {
            if (Interlocked.Exchange(ref _ended, 1) == 0)
            {
                writer.EndAlone();
            }
        }
    }

    /// <summary>One request's event on its way: queued (0), taken by a writer (1), or withdrawn by its request (2).</summary>
    private sealed class Pending(SecurityEvent securityEvent, RuleHits ruleHits)
    {
        private const int InQueue = 0;
        private const int Taken = 1;
        private const int Withdrawn = 2;

        private readonly TaskCompletionSource<WrittenEvent?> _answer = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _state;

        public SecurityEvent Event { get; } = securityEvent;

        public RuleHits RuleHits { get; } = ruleHits;

        public Task<WrittenEvent?> Answer => _answer.Task;

        public bool IsQueued => Volatile.Read(ref _state) == InQueue;

        public bool Take() => Interlocked.CompareExchange(ref _state, Taken, InQueue) == InQueue;

        public void Withdraw()
        {
            if (Interlocked.CompareExchange(ref _state, Withdrawn, InQueue) == InQueue)
            {
                _answer.TrySetCanceled();
            }
        }

        public void Answered(WrittenEvent? written) => _answer.TrySetResult(written);

        public void Failed(Exception e) => _answer.TrySetException(e);
    }
}
