namespace SolProfiler.Demo;

/// <summary>
/// The simulated engine (no I/O, not thread-safe: the server calls it under one lock). Time is seconds on the
/// caller's monotonic clock. Runs engine steps back to back while anything is running, as vLLM V1's scheduler does:
/// at each step start the background load is topped up to its target and waiting external requests are admitted;
/// the step's token budget (<see cref="DemoOptions.MaxBatchedTokens"/>) goes first to the decoding sequences (one
/// token each, 1 + drafts under speculative decoding), and what is left to prompt chunks, oldest request first
/// (chunked prefill; prefix-cache hits are not computed). A request whose prompt completes in a step gets its first
/// token at that step's end and decodes from the next. Each decoding sequence emits 1 + the accepted drafts per step.
/// The step lasts <see cref="DemoWorkload.Step"/>(B, mean context, prompt tokens).StepSeconds. Bookkeeping is O(1)
/// per step plus O(log n) per sequence start and finish, and O(prefilling requests) for the chunks.
/// </summary>
/// <remarks>
/// A sequence never stops early (no EOS), so every request runs to its max_tokens and finishes with reason "length".
/// Sequences finish on a token clock (tokens each decoding sequence has emitted since start), so speculative steps
/// that emit several tokens need no per-sequence work; the tokens a last step emits beyond max_tokens are taken
/// back from the counters when the sequence finishes.
/// </remarks>
internal sealed partial class DecodeSimulation
{
    private readonly DemoWorkload _workload;
    private readonly DemoOptions _options;
    private readonly double _origin;
    private readonly double _idleWatts;
    private readonly double _meanAccepted;
    private readonly PriorityQueue<Sequence, long> _finishing = new();
    private readonly List<ExternalRequest> _runningExternal = [];
    private readonly Queue<ExternalRequest> _waitingExternal = new();
    private readonly List<Prefill> _prefilling = [];
    private readonly List<Prefill> _completing = [];
    private readonly GpuActivityAccumulator _activity = new();

    private bool _stepRunning;
    private double _stepStart;
    private double _stepEnd;
    private int _stepDecoding;
    private long _stepPrefillTokens;
    private DemoStep _step;
    private int _backgroundActive;
    private int _decoding;
    private long _tokenClock;
    private double _acceptedCarry;
    private double _sumContext;
    private double _accountedUntil;

    // One-entry cache: the step only changes when B, the context (in KV blocks) or the prompt tokens do.
    private int _cachedBatch = -1;
    private double _cachedContext = double.NaN;
    private long _cachedPrefill = -1;

    public DecodeSimulation(DemoWorkload workload, double nowSeconds)
    {
        _workload = workload;
        _options = workload.Options;
        _origin = nowSeconds;
        _accountedUntil = nowSeconds;
        _idleWatts = workload.Gpu.IdlePowerWatts.Value;
        _meanAccepted = _options.MeanAcceptedTokens;
        AcceptedPerPosition = new long[_options.DraftTokens];
        _step = StepFor(Math.Max(1, LoadCycle.Target(_options, 0)), _options.PromptTokens, 0);
        WarmStart(LoadCycle.Target(_options, 0));
        StartStepIfAny(nowSeconds);
    }

    /// <summary>The truth summed over every step since start.</summary>
    public DemoTruth Truth { get; private set; }

    /// <summary>The step now running, or the last one when idle.</summary>
    public DemoStep Current => _step;

    /// <summary>Requests in the engine: decoding and computing their prompt (vLLM's <c>num_requests_running</c> counts both).</summary>
    public int Running => _decoding + _prefilling.Count;

    public int Waiting => _waitingExternal.Count;

    public bool HasExternal => _runningExternal.Count > 0 || _waitingExternal.Count > 0 || _prefilling.Exists(p => p.External is not null);

    /// <summary>When the running step ends; null when idle.</summary>
    public double? NextStepEnd => _stepRunning ? _stepEnd : null;

    /// <summary>
    /// Runs every step that ends at or before <paramref name="now"/>, back to back on the simulation clock.
    /// </summary>
    /// <remarks>
    /// The simulated GPU never waits for the host: a wake-up that comes late only delays the delivery of the tokens
    /// already produced (they leave together), as a busy HTTP front end would. Counting the lateness as GPU time
    /// instead made the demo's step time depend on how loaded the machine running it was (on a busy 2-core runner
    /// concurrency 1 measured slower per user than concurrency 8), which no real engine does.
    /// </remarks>
    public void AdvanceTo(double now)
    {
        while (_stepRunning && _stepEnd <= now)
        {
            var end = _stepEnd;
            FinishStep();
            StartStepIfAny(end);
        }

        if (!_stepRunning)
        {
            // Idle until now; an external request may have arrived since.
            AccountIdle(now);
            StartStepIfAny(now);
        }
    }

    /// <summary>Queues an external request; it is admitted at the next step start (at once when idle).</summary>
    public void Submit(ExternalRequest request, double now)
    {
        _waitingExternal.Enqueue(request);
        if (!_stepRunning)
        {
            AccountIdle(now);
            StartStepIfAny(now);
        }
    }

    /// <summary>The client went away: the request leaves the engine now.</summary>
    public void Abort(ExternalRequest request)
    {
        if (request.Aborted)
        {
            return;
        }

        request.Aborted = true;
        if (_runningExternal.Remove(request))
        {
            _sumContext -= request.PromptTokens + request.Generated;
            _decoding--;
        }

        _prefilling.RemoveAll(p => ReferenceEquals(p.External, request));
        request.Close();
    }

    /// <summary>The server is going away: every API request still decoding, prefilling or waiting ends now, unfinished.</summary>
    public void CloseAll()
    {
        foreach (var request in _runningExternal.Concat(_waitingExternal).Concat(_prefilling.Select(p => p.External).OfType<ExternalRequest>()))
        {
            request.Aborted = true;
            request.Close();
        }

        _decoding -= _runningExternal.Count;
        _runningExternal.Clear();
        _waitingExternal.Clear();
        _prefilling.RemoveAll(p => p.External is not null);
    }

    /// <summary>GPU activity averaged over the time since the last call, up to <paramref name="now"/>.</summary>
    public GpuActivity? TakeActivity(double now)
    {
        if (_stepRunning)
        {
            var from = Math.Max(_stepStart, _accountedUntil);
            _activity.Add(_step, now - from);
            _accountedUntil = Math.Max(_accountedUntil, now);
        }
        else
        {
            AccountIdle(now);
        }

        return _activity.Take();
    }

    private void AccountIdle(double now)
    {
        if (now > _accountedUntil)
        {
            _activity.AddIdle(_idleWatts, now - _accountedUntil);
            _accountedUntil = now;
        }
    }

    private DemoStep StepFor(int batch, double meanContext, long prefill)
    {
        var context = Math.Round(meanContext / DemoWorkload.KvBlockTokens) * DemoWorkload.KvBlockTokens;
        if (batch != _cachedBatch || context != _cachedContext || prefill != _cachedPrefill)
        {
            _step = _workload.Step(batch, context, prefill);
            _cachedBatch = batch;
            _cachedContext = context;
            _cachedPrefill = prefill;
        }

        return _step;
    }
}
