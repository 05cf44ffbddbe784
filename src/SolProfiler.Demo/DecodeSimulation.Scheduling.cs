namespace SolProfiler.Demo;

/// <summary>
/// The load model at a step start: the warm start, the background load topped up to its target (<see cref="LoadCycle"/>),
/// the waiting API requests admitted with their prefix-cache hits, and the token budget left by decode given to
/// prompt chunks.
/// </summary>
internal sealed partial class DecodeSimulation
{
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
}
