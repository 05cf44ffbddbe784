namespace SolProfiler.Agent.Demo;

/// <summary>
/// The simulated engine (no I/O, not thread-safe: the server calls it under one lock). Time is seconds on the
/// caller's monotonic clock. Runs decode steps back to back while anything is running: at each step start the
/// background load is topped up to its target and waiting external requests join; each step produces one token per
/// running sequence and lasts <see cref="DemoWorkload.Step"/>(B, mean context).StepSeconds. Bookkeeping is O(1) per
/// step plus O(log n) per sequence start and finish, and steps allocate nothing once the step cache is warm.
/// </summary>
/// <remarks>
/// Prefill is not modelled: a sequence's first token comes at the end of its first step. A sequence never stops
/// early (no EOS), so every request runs to its max_tokens and finishes with reason "length".
/// </remarks>
internal sealed class DecodeSimulation
{
    internal static readonly double[] TtftBuckets = [0.001, 0.005, 0.01, 0.02, 0.04, 0.06, 0.08, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80, 160, 640, 2560];
    internal static readonly double[] ItlBuckets = [0.01, 0.025, 0.05, 0.075, 0.1, 0.15, 0.2, 0.3, 0.4, 0.5, 0.75, 1, 2.5, 5, 7.5, 10, 20, 40, 80];
    internal static readonly double[] E2eBuckets = [0.3, 0.5, 0.8, 1, 1.5, 2, 2.5, 5, 10, 15, 20, 30, 40, 50, 60, 120, 240, 480, 960, 1920, 7680];

    private readonly DemoWorkload _workload;
    private readonly DemoOptions _options;
    private readonly double _origin;
    private readonly double _idleWatts;
    private readonly PriorityQueue<Sequence, long> _finishing = new();
    private readonly List<ExternalRequest> _runningExternal = [];
    private readonly Queue<ExternalRequest> _waitingExternal = new();
    private readonly GpuActivityAccumulator _activity = new();

    private long _stepIndex;
    private bool _stepRunning;
    private double _stepStart;
    private double _stepEnd;
    private int _stepNewBackground;
    private int _stepNewExternal;
    private long _stepNewPromptTokens;
    private DemoStep _step;
    private int _backgroundRunning;
    private double _sumContext;
    private double _accountedUntil;

    // One-entry cache: the step only changes when B or the context (in KV blocks) does, every ~16 steps at steady load.
    private int _cachedBatch = -1;
    private double _cachedContext = double.NaN;

    public DecodeSimulation(DemoWorkload workload, double nowSeconds)
    {
        _workload = workload;
        _options = workload.Options;
        _origin = nowSeconds;
        _accountedUntil = nowSeconds;
        _idleWatts = workload.Gpu.IdlePowerWatts.Value;
        _step = StepFor(Math.Max(1, LoadCycle.Target(_options, 0)), _options.PromptTokens);
        WarmStart(LoadCycle.Target(_options, 0));
        StartStepIfAny(nowSeconds);
    }

    public PrometheusHistogram Ttft { get; } = new(TtftBuckets);

    public PrometheusHistogram InterTokenLatency { get; } = new(ItlBuckets);

    public PrometheusHistogram E2eLatency { get; } = new(E2eBuckets);

    public PrometheusHistogram RequestTimePerOutputToken { get; } = new(ItlBuckets);

    public long PromptTokensTotal { get; private set; }

    public long GenerationTokensTotal { get; private set; }

    public long RequestsFinished { get; private set; }

    /// <summary>The step now running, or the last one when idle.</summary>
    public DemoStep Current => _step;

    public int Running => _backgroundRunning + _runningExternal.Count;

    public int Waiting => _waitingExternal.Count;

    public bool HasExternal => _runningExternal.Count > 0 || _waitingExternal.Count > 0;

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

    /// <summary>Queues an external request; it joins the batch at the next step start (at once when idle).</summary>
    public void Submit(ExternalRequest request, double now)
    {
        _waitingExternal.Enqueue(request);
        if (!_stepRunning)
        {
            AccountIdle(now);
            StartStepIfAny(now);
        }
    }

    /// <summary>The client went away: the request leaves the batch now.</summary>
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
        }

        request.Close();
    }

    /// <summary>The server is going away: every API request still decoding or waiting ends now, unfinished.</summary>
    public void CloseAll()
    {
        foreach (var request in _runningExternal.Concat(_waitingExternal))
        {
            request.Aborted = true;
            request.Close();
        }

        _runningExternal.Clear();
        _waitingExternal.Clear();
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

    /// <summary>Sum over running sequences of their context in whole KV blocks (O(n); for the usage gauge at scrape time).</summary>
    public long KvBlocksInUse()
    {
        long blocks = 0;
        var done = _stepRunning ? _stepIndex : _stepIndex - 1; // steps whose tokens are already in the cache
        foreach (var (sequence, _) in _finishing.UnorderedItems)
        {
            if (sequence.External is { Aborted: true })
            {
                continue;
            }

            var generated = Math.Max(0, done - sequence.StartStep);
            blocks += (sequence.PromptTokens + generated + DemoWorkload.KvBlockTokens - 1) / DemoWorkload.KvBlockTokens;
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
            var sequence = new Sequence(_options.PromptTokens, n, StartStep: -generated, ArrivalSeconds: double.NaN, FirstTokenSeconds: double.NaN, External: null);
            _finishing.Enqueue(sequence, sequence.StartStep + n - 1);
            _sumContext += _options.PromptTokens + generated;
        }

        _backgroundRunning = target;
    }

    private void StartStepIfAny(double start)
    {
        var target = LoadCycle.Target(_options, start - _origin);
        var newBackground = Math.Max(0, target - _backgroundRunning);
        _backgroundRunning += newBackground;
        _sumContext += (double)newBackground * _options.PromptTokens;
        var newExternal = 0;
        long newPromptTokens = (long)newBackground * _options.PromptTokens;
        while (_waitingExternal.TryDequeue(out var request))
        {
            if (request.Aborted)
            {
                continue;
            }

            _runningExternal.Add(request);
            _sumContext += request.PromptTokens;
            newPromptTokens += request.PromptTokens;
            newExternal++;
        }

        var batch = Running;
        if (batch == 0)
        {
            _stepRunning = false;
            return;
        }

        _step = StepFor(batch, _sumContext / batch);
        _stepStart = start;
        _stepEnd = start + _step.StepSeconds;
        _stepRunning = true;
        _stepNewBackground = newBackground;
        _stepNewExternal = newExternal;
        _stepNewPromptTokens = newPromptTokens;

        var firstToken = _stepEnd;
        for (var i = 0; i < newBackground; i++)
        {
            var sequence = new Sequence(_options.PromptTokens, _options.OutputTokens, _stepIndex, start, firstToken, null);
            _finishing.Enqueue(sequence, _stepIndex + _options.OutputTokens - 1);
        }

        for (var i = _runningExternal.Count - newExternal; i < _runningExternal.Count; i++)
        {
            var request = _runningExternal[i];
            var sequence = new Sequence(request.PromptTokens, request.MaxTokens, _stepIndex, request.ArrivalSeconds, firstToken, request);
            _finishing.Enqueue(sequence, _stepIndex + request.MaxTokens - 1);
        }
    }

    private void FinishStep()
    {
        var end = _stepEnd;
        var duration = _step.StepSeconds;
        var batch = _step.Batch;
        _activity.Add(_step, end - Math.Max(_stepStart, _accountedUntil));
        _accountedUntil = end;

        var newSequences = _stepNewBackground + _stepNewExternal;
        GenerationTokensTotal += batch;
        PromptTokensTotal += _stepNewPromptTokens;
        InterTokenLatency.Observe(duration, batch - newSequences);
        Ttft.Observe(duration, _stepNewBackground); // a background sequence arrives as its step starts
        _sumContext += batch;

        foreach (var request in _runningExternal)
        {
            if (request.Generated == 0)
            {
                Ttft.Observe(end - request.ArrivalSeconds);
            }

            request.Generated++;
            request.Emit(end);
        }

        while (_finishing.TryPeek(out var sequence, out var finishStep) && finishStep <= _stepIndex)
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
                _backgroundRunning--;
            }

            _sumContext -= sequence.PromptTokens + sequence.MaxTokens;
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

        _stepIndex++;
        _stepRunning = false;
    }

    private void AccountIdle(double now)
    {
        if (now > _accountedUntil)
        {
            _activity.AddIdle(_idleWatts, now - _accountedUntil);
            _accountedUntil = now;
        }
    }

    private DemoStep StepFor(int batch, double meanContext)
    {
        var context = Math.Round(meanContext / DemoWorkload.KvBlockTokens) * DemoWorkload.KvBlockTokens;
        if (batch != _cachedBatch || context != _cachedContext)
        {
            _step = _workload.Step(batch, context);
            _cachedBatch = batch;
            _cachedContext = context;
        }

        return _step;
    }

    private readonly record struct Sequence(int PromptTokens, int MaxTokens, long StartStep, double ArrivalSeconds, double FirstTokenSeconds, ExternalRequest? External);
}
