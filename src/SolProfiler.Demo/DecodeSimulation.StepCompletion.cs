namespace SolProfiler.Demo;

/// <summary>
/// A step's end: the tokens it emitted (speculative drafts accepted included), the sequences that finish, the
/// prefills that complete into decoding, and the histograms and counters each of those updates.
/// </summary>
internal sealed partial class DecodeSimulation
{
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
}
