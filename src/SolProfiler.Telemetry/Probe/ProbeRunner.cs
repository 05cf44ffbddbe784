namespace SolProfiler.Telemetry.Probe;

/// <summary>Mean and percentiles of one latency, in seconds.</summary>
public sealed record LatencyStats(int Count, double Mean, double Min, double P50, double P90, double P99, double Max)
{
    /// <summary>The statistics of the values, or null when there are none. Percentiles interpolate linearly between ranks (numpy's default, as vLLM's benchmark).</summary>
    public static LatencyStats? From(IEnumerable<double> values)
    {
        ArgumentNullException.ThrowIfNull(values);
        var sorted = values.Where(double.IsFinite).Order().ToArray();
        if (sorted.Length == 0)
        {
            return null;
        }

        return new LatencyStats(
            sorted.Length,
            sorted.Average(),
            sorted[0],
            Percentile(sorted, 50),
            Percentile(sorted, 90),
            Percentile(sorted, 99),
            sorted[^1]);
    }

    /// <summary>The p-th percentile (0..100) of ascending values, interpolating linearly between the closest ranks.</summary>
    public static double Percentile(IReadOnlyList<double> sorted, double p)
    {
        ArgumentNullException.ThrowIfNull(sorted);
        ArgumentOutOfRangeException.ThrowIfZero(sorted.Count);
        ArgumentOutOfRangeException.ThrowIfLessThan(p, 0);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(p, 100);
        var rank = p / 100 * (sorted.Count - 1);
        var lower = (int)Math.Floor(rank);
        var upper = Math.Min(lower + 1, sorted.Count - 1);
        return sorted[lower] + ((rank - lower) * (sorted[upper] - sorted[lower]));
    }
}

/// <summary>How often one failure reason occurred.</summary>
public sealed record FailureCount(ProbeFailureKind Kind, string Reason, int Count);

/// <summary>
/// The aggregate of a probe run. Latency statistics use successful requests only. ITL pools every gap of every
/// successful request (so long requests weigh more, as in vLLM's benchmark); TPOT, TTFT and end-to-end are per request.
/// </summary>
public sealed record ProbeAggregate
{
    public int Requests { get; init; }

    public int Concurrency { get; init; }

    public int Succeeded { get; init; }

    public int Failed { get; init; }

    /// <summary>Wall time of the whole run, seconds.</summary>
    public double WallSeconds { get; init; }

    /// <summary>Output tokens of the successful requests.</summary>
    public long TotalOutputTokens { get; init; }

    /// <summary>Total output tokens / wall time (the server's output throughput under this load).</summary>
    public double? OutputTokensPerSecond { get; init; }

    /// <summary>Successful requests / wall time.</summary>
    public double? RequestsPerSecond { get; init; }

    public LatencyStats? Ttft { get; init; }

    /// <summary>Inter-token gaps pooled over requests (per token where chunk token counts were known, else per chunk).</summary>
    public LatencyStats? Itl { get; init; }

    public LatencyStats? Tpot { get; init; }

    public LatencyStats? EndToEnd { get; init; }

    /// <summary>Mean over successful requests of output tokens / end-to-end latency.</summary>
    public double? MeanOutputTokensPerSecondPerRequest { get; init; }

    /// <summary>True when every successful request took its token count from usage.</summary>
    public bool TokensFromUsage { get; init; }

    /// <summary>Distinct failure reasons, most frequent first.</summary>
    public IReadOnlyList<FailureCount> Failures { get; init; } = [];

    /// <summary>Failed requests by where they failed (snake_case <see cref="ProbeFailureKinds.Label"/>; only classes that occurred).</summary>
    public IReadOnlyDictionary<string, int> FailuresByClass { get; init; } = new Dictionary<string, int>();

    /// <summary>The HTTP status codes of the <c>http_status</c> failures, code to count.</summary>
    public IReadOnlyDictionary<string, int> HttpStatuses { get; init; } = new Dictionary<string, int>();

    public static ProbeAggregate From(IReadOnlyList<ProbeResult> results, int concurrency, double wallSeconds)
    {
        ArgumentNullException.ThrowIfNull(results);
        var ok = results.Where(r => r.Success).ToList();
        var tokens = ok.Sum(r => (long)r.OutputTokens);
        var perRequest = ok.Select(r => r.OutputTokensPerSecond).OfType<double>().ToList();
        return new ProbeAggregate
        {
            Requests = results.Count,
            Concurrency = concurrency,
            Succeeded = ok.Count,
            Failed = results.Count - ok.Count,
            WallSeconds = wallSeconds,
            TotalOutputTokens = tokens,
            OutputTokensPerSecond = wallSeconds > 0 && ok.Count > 0 ? tokens / wallSeconds : null,
            RequestsPerSecond = wallSeconds > 0 && ok.Count > 0 ? ok.Count / wallSeconds : null,
            Ttft = LatencyStats.From(ok.Select(r => r.TtftSeconds).OfType<double>()),
            Itl = LatencyStats.From(ok.SelectMany(r => r.InterTokenGapsSeconds)),
            Tpot = LatencyStats.From(ok.Select(r => r.TpotSeconds).OfType<double>()),
            EndToEnd = LatencyStats.From(ok.Select(r => r.EndToEndSeconds).OfType<double>()),
            MeanOutputTokensPerSecondPerRequest = perRequest.Count > 0 ? perRequest.Average() : null,
            TokensFromUsage = ok.Count > 0 && ok.All(r => r.OutputTokenSource == TokenCountSource.Usage),
            Failures = results
                .Where(r => !r.Success)
                .GroupBy(r => (r.Failure, r.FailureReason ?? ""))
                .Select(g => new FailureCount(g.Key.Failure, g.Key.Item2, g.Count()))
                .OrderByDescending(f => f.Count)
                .ThenBy(f => f.Reason, StringComparer.Ordinal)
                .ToArray(),
            FailuresByClass = ByClass(results),
            HttpStatuses = HttpStatusCounts(results),
        };
    }

    /// <summary>Failed requests counted by class, in <see cref="ProbeFailureKinds.Failures"/> order, classes with none left out.</summary>
    public static IReadOnlyDictionary<string, int> ByClass(IEnumerable<ProbeResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        var counts = results.Where(r => !r.Success).CountBy(r => r.Failure).ToDictionary();
        var ordered = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var kind in ProbeFailureKinds.Failures)
        {
            if (counts.TryGetValue(kind, out var n))
            {
                ordered[ProbeFailureKinds.Label(kind)] = n;
            }
        }

        return ordered;
    }

    /// <summary>The status codes of the HTTP-status failures (a 200 with the wrong content type counts as "200").</summary>
    public static IReadOnlyDictionary<string, int> HttpStatusCounts(IEnumerable<ProbeResult> results)
    {
        ArgumentNullException.ThrowIfNull(results);
        return results
            .Where(r => r.Failure == ProbeFailureKind.HttpStatus)
            .CountBy(r => r.HttpStatus?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "unknown")
            .OrderBy(kv => kv.Key, StringComparer.Ordinal)
            .ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal);
    }
}

/// <summary>A finished run: every request's result (in request order) and the aggregate.</summary>
public sealed record ProbeRunSummary(ProbeAggregate Aggregate, IReadOnlyList<ProbeResult> Results);

/// <summary>
/// Runs N requests through C concurrent clients in a closed loop: each client sends its next request as soon as its
/// previous one ends, until N have been sent.
/// </summary>
public sealed class ProbeRunner
{
    private readonly StreamingProbe _probe;
    private readonly TimeProvider _time;

    public ProbeRunner(StreamingProbe probe, TimeProvider? timeProvider = null)
    {
        ArgumentNullException.ThrowIfNull(probe);
        _probe = probe;
        _time = timeProvider ?? TimeProvider.System;
    }

    /// <summary>
    /// Sends <paramref name="count"/> requests one after another and returns their results, to be left out of a run:
    /// the first requests of a process pay for JIT compilation and connection setup (often 100 ms or more of TTFT).
    /// </summary>
    public async Task<IReadOnlyList<ProbeResult>> WarmUpAsync(int count, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        var results = new ProbeResult[count];
        for (var i = 0; i < count; i++)
        {
            results[i] = await _probe.RunAsync(cancellationToken).ConfigureAwait(false) with { Index = i };
        }

        return results;
    }

    /// <summary>Runs the requests. Failed requests are results, not exceptions; only cancellation throws.</summary>
    /// <param name="requests">How many requests in all (at least 1).</param>
    /// <param name="concurrency">How many clients send at once (at least 1; more than <paramref name="requests"/> is capped).</param>
    /// <param name="progress">Told about each result as it finishes.</param>
    /// <param name="cancellationToken">Stops the run.</param>
    public async Task<ProbeRunSummary> RunAsync(int requests, int concurrency, IProgress<ProbeResult>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(requests, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(concurrency, 1);
        var clients = Math.Min(concurrency, requests);
        var results = new ProbeResult[requests];
        var next = -1;
        var start = _time.GetTimestamp();

        async Task ClientAsync()
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < requests)
            {
                var result = await _probe.RunAsync(cancellationToken).ConfigureAwait(false) with { Index = index };
                results[index] = result;
                progress?.Report(result);
            }
        }

        await Task.WhenAll(Enumerable.Range(0, clients).Select(_ => Task.Run(ClientAsync, cancellationToken))).ConfigureAwait(false);
        var wall = _time.GetElapsedTime(start).TotalSeconds;
        return new ProbeRunSummary(ProbeAggregate.From(results, clients, wall), results);
    }
}
