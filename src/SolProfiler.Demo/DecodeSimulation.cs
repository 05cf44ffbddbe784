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
internal sealed class DecodeSimulation
{
    internal static readonly double[] TtftBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
    internal static readonly double[] ItlBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
    internal static readonly double[] E2eBuckets = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

    /// <summary>vLLM's <c>iteration_tokens_total</c> bounds (its CUDA-graph capture sizes up to the batched-token budget).</summary>
    internal static readonly double[] IterationTokenBuckets = [1, 8, 16, 32, 64, 128, 256, 512, 1024, 2048, 4096, 8192, 16384];

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

    public PrometheusHistogram Ttft { get; } = new(TtftBuckets);

    public PrometheusHistogram InterTokenLatency { get; } = new(ItlBuckets);

    public PrometheusHistogram E2eLatency { get; } = new(E2eBuckets);

    public PrometheusHistogram RequestTimePerOutputToken { get; } = new(ItlBuckets);

    /// <summary>Tokens (prompt chunks and decode positions) scheduled per engine step.</summary>
    public PrometheusHistogram IterationTokens { get; } = new(IterationTokenBuckets);

    /// <summary>Whole prompts, prefix-cache hits included, counted as each request's prefill completes (vLLM's <c>prompt_tokens</c>).</summary>
    public long PromptTokensTotal { get; private set; }

    public long GenerationTokensTotal { get; private set; }

    public long RequestsFinished { get; private set; }

    /// <summary>Prompt tokens looked up in the prefix cache, and found there, as requests are admitted.</summary>
    public long PrefixCacheQueriesTotal { get; private set; }

    public long PrefixCacheHitsTotal { get; private set; }

    /// <summary>Speculative decoding: sequences that drafted, per step (vLLM's <c>spec_decode_num_drafts</c>).</summary>
    public long SpecDraftsTotal { get; private set; }

    public long SpecDraftTokensTotal { get; private set; }

    public long SpecAcceptedTokensTotal { get; private set; }

    /// <summary>Accepted draft tokens by position (0-based), as vLLM's <c>spec_decode_num_accepted_tokens_per_pos</c>.</summary>
    public long[] AcceptedPerPosition { get; }

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

    /// <summary>KV blocks in use: decoding sequences' context and prefilling requests' computed or cached prompt, in whole blocks (O(n); at scrape time).</summary>
    public long KvBlocksInUse()
    {
        long blocks = 0;
        foreach (var (sequence, _) in _finishing.UnorderedItems)
        {
            if (sequence.External is { Aborted: true })
            {
                continue;
            }

            var tokens = Math.Min(sequence.PromptTokens + sequence.MaxTokens, sequence.PromptTokens + 1 + (_tokenClock - sequence.StartClock));
            blocks += (tokens + DemoWorkload.KvBlockTokens - 1) / DemoWorkload.KvBlockTokens;
        }

        foreach (var p in _prefilling)
        {
            blocks += (p.PromptTokens - p.Remaining + DemoWorkload.KvBlockTokens - 1) / DemoWorkload.KvBlockTokens;
        }

        return blocks;
    }

    private void WarmStart(int target)
    {
        // Steady state from the first scrape: the background sequences are spread over their output, so they do not
        // all finish together. Their arrival is before the simulation, so they are not observed in the histograms.
        var n = _options.OutputTokens;
        for (var i = 0; i < target; i++)
        {
            var generated = (int)((long)i * n / target);
            var start = -(long)generated;
            var sequence = new Sequence(_options.PromptTokens, n, start, ArrivalSeconds: double.NaN, FirstTokenSeconds: double.NaN, External: null);
            _finishing.Enqueue(sequence, start + n - 1);
            _sumContext += _options.PromptTokens + 1 + generated;
        }

        _backgroundActive = target;
        _decoding = target;
    }

    private void StartStepIfAny(double start)
    {
        Admit(start);
        var decodeTokens = (long)_decoding * (1 + _options.DraftTokens);
        var prefill = ScheduleChunks(Math.Max(0, _options.MaxBatchedTokens - decodeTokens));
        if (_decoding == 0 && prefill == 0)
        {
            _stepRunning = false;
            return;
        }

        _step = StepFor(_decoding, _decoding > 0 ? _sumContext / _decoding : 0, prefill);
        _stepStart = start;
        _stepEnd = start + _step.StepSeconds;
        _stepRunning = true;
        _stepDecoding = _decoding;
        _stepPrefillTokens = prefill;
    }

    /// <summary>Tops the background load up to its target and takes the waiting API requests in, all into prefill.</summary>
    private void Admit(double now)
    {
        var target = LoadCycle.Target(_options, now - _origin);
        for (; _backgroundActive < target; _backgroundActive++)
        {
            _prefilling.Add(NewPrefill(_options.PromptTokens, _options.OutputTokens, now, null));
        }

        while (_waitingExternal.TryDequeue(out var request))
        {
            if (!request.Aborted)
            {
                _prefilling.Add(NewPrefill(request.PromptTokens, request.MaxTokens, request.ArrivalSeconds, request));
            }
        }
    }

    private Prefill NewPrefill(int promptTokens, int maxTokens, double arrival, ExternalRequest? external)
    {
        // The cached prefix is found at admission: vLLM counts its queries and hits in tokens, then computes the rest.
        var hits = (int)Math.Floor(promptTokens * _options.PrefixCacheHitRatio);
        hits = Math.Min(hits, promptTokens - 1); // the last prompt token is always computed: its logits give the first token
        PrefixCacheQueriesTotal += promptTokens;
        PrefixCacheHitsTotal += hits;
        return new Prefill(promptTokens, maxTokens, arrival, external) { Remaining = promptTokens - hits };
    }

    /// <summary>Gives the budget left by the decode tokens to prompt chunks, oldest request first; returns the tokens scheduled.</summary>
    private long ScheduleChunks(long budget)
    {
        long scheduled = 0;
        var cap = _options.LongPrefillTokenThreshold > 0 ? _options.LongPrefillTokenThreshold : int.MaxValue;
        foreach (var p in _prefilling)
        {
            if (budget <= 0)
            {
                break;
            }

            var take = (int)Math.Min(Math.Min(p.Remaining, cap), budget);
            p.Chunk = take;
            budget -= take;
            scheduled += take;
        }

        return scheduled;
    }

    private void FinishStep()
    {
        var end = _stepEnd;
        var duration = _step.StepSeconds;
        var decoding = _stepDecoding;
        _activity.Add(_step, end - Math.Max(_stepStart, _accountedUntil));
        _accountedUntil = end;

        // Decode: every sequence that decoded in this step emits 1 + the accepted drafts (the same count for all, so
        // the long-run mean is exact without per-sequence work).
        var accepted = 0;
        if (_options.DraftTokens > 0)
        {
            accepted = (int)(Math.Floor(_acceptedCarry + _meanAccepted) - Math.Floor(_acceptedCarry));
            accepted = Math.Min(accepted, _options.DraftTokens);
            _acceptedCarry += _meanAccepted;
            SpecDraftsTotal += decoding;
            SpecDraftTokensTotal += (long)decoding * _options.DraftTokens;
            SpecAcceptedTokensTotal += (long)decoding * accepted;
            for (var p = 0; p < accepted; p++)
            {
                AcceptedPerPosition[p] += decoding;
            }
        }

        var emitted = 1 + accepted;
        Truth = Truth.Add(_step, decoding, emitted);
        InterTokenLatency.Observe(duration, decoding); // vLLM: once per request per step that emitted tokens
        GenerationTokensTotal += (long)decoding * emitted;
        _sumContext += (double)decoding * emitted;
        _tokenClock += emitted;
        foreach (var request in _runningExternal)
        {
            for (var t = 0; t < emitted && request.Generated < request.MaxTokens; t++)
            {
                request.Generated++;
                request.Emit(end);
            }
        }

        FinishSequences(end);
        var (firstTokens, completedPrompts) = CompletePrefills(end);

        // vLLM observes a step's generated tokens plus the whole prompts (cache hits included) of the requests whose
        // prefill completed in it, and only for steps that emitted a token (v1/metrics/stats.py, IterationStats).
        var iterationTokens = ((long)decoding * emitted) + firstTokens + completedPrompts;
        if (decoding + firstTokens > 0)
        {
            IterationTokens.Observe(iterationTokens);
        }

        _stepRunning = false;
    }

    /// <summary>Sequences whose token clock reached their output leave; the tokens the last step emitted beyond it are taken back.</summary>
    private void FinishSequences(double end)
    {
        while (_finishing.TryPeek(out var sequence, out var finishClock) && finishClock <= _tokenClock)
        {
            _finishing.Dequeue();
            if (sequence.External is { } external)
            {
                if (external.Aborted)
                {
                    continue;
                }

                _runningExternal.Remove(external);
            }
            else
            {
                _backgroundActive--;
            }

            var overshoot = _tokenClock - finishClock;
            GenerationTokensTotal -= overshoot;
            _sumContext -= sequence.PromptTokens + 1 + (_tokenClock - sequence.StartClock);
            _decoding--;
            RequestsFinished++;
            if (!double.IsNaN(sequence.ArrivalSeconds))
            {
                E2eLatency.Observe(end - sequence.ArrivalSeconds);
                if (sequence.MaxTokens >= 2)
                {
                    RequestTimePerOutputToken.Observe((end - sequence.FirstTokenSeconds) / (sequence.MaxTokens - 1));
                }
            }
        }
    }

    /// <summary>
    /// The prompt chunks of this step are computed; a request whose prompt is done gets its first token now and decodes
    /// from the next step. Returns the first tokens emitted and the prompt tokens of the completed requests.
    /// </summary>
    private (int FirstTokens, long Prompts) CompletePrefills(double end)
    {
        _completing.Clear();
        foreach (var p in _prefilling)
        {
            if (p.Chunk == 0)
            {
                continue;
            }

            p.Remaining -= p.Chunk;
            p.Chunk = 0;
            if (p.Remaining == 0)
            {
                _completing.Add(p);
            }
        }

        if (_completing.Count == 0)
        {
            return (0, 0);
        }

        _prefilling.RemoveAll(p => p.Remaining == 0);
        long prompts = 0;
        foreach (var p in _completing)
        {
            prompts += p.PromptTokens;
            Ttft.Observe(end - p.ArrivalSeconds);
            PromptTokensTotal += p.PromptTokens;
            GenerationTokensTotal++;
            if (p.External is { } external)
            {
                external.Generated = 1;
                external.Emit(end);
            }

            if (p.MaxTokens == 1)
            {
                RequestsFinished++;
                E2eLatency.Observe(end - p.ArrivalSeconds);
                if (p.External is null)
                {
                    _backgroundActive--;
                }

                continue;
            }

            var sequence = new Sequence(p.PromptTokens, p.MaxTokens, _tokenClock, p.ArrivalSeconds, end, p.External);
            _finishing.Enqueue(sequence, _tokenClock + p.MaxTokens - 1);
            _sumContext += p.PromptTokens + 1;
            _decoding++;
            if (p.External is { } decodingExternal)
            {
                _runningExternal.Add(decodingExternal);
            }
        }

        return (_completing.Count, prompts);
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

    /// <summary>A decoding sequence: it finishes when the token clock reaches StartClock + MaxTokens - 1 (its first token came from its prompt's step).</summary>
    private readonly record struct Sequence(int PromptTokens, int MaxTokens, long StartClock, double ArrivalSeconds, double FirstTokenSeconds, ExternalRequest? External);

    /// <summary>A request computing its prompt: tokens still to compute, and the chunk scheduled in the running step.</summary>
    private sealed class Prefill(int promptTokens, int maxTokens, double arrivalSeconds, ExternalRequest? external)
    {
        public int PromptTokens { get; } = promptTokens;

        public int MaxTokens { get; } = maxTokens;

        public double ArrivalSeconds { get; } = arrivalSeconds;

        public ExternalRequest? External { get; } = external;

        public int Remaining { get; set; }

        public int Chunk { get; set; }
    }
}
