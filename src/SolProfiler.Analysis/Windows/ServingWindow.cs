using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Analysis.Windows;

/// <summary>
/// A sliding window of scrapes per engine (bounded by <see cref="Length"/>): add each scrape, ask for the rates.
/// Engines that stop appearing age out with the window. Not thread-safe: one sampling loop owns it.
/// </summary>
/// <remarks>The clock's steps are handled by <see cref="WindowReads{T}"/>, as in the GPU window.</remarks>
public sealed class ServingWindow(TimeSpan length)
{
    private readonly Dictionary<(ServerKind Server, string Engine, string? Model), WindowReads<ServingSample>> _byEngine = [];

    public TimeSpan Length { get; } = length > TimeSpan.Zero ? length : throw new ArgumentOutOfRangeException(nameof(length), length, "window length must be positive");

    public void Add(IEnumerable<ServingSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        foreach (var s in samples)
        {
            var key = (s.Server, s.Engine, s.Model);
            if (!_byEngine.TryGetValue(key, out var queue))
            {
                _byEngine[key] = queue = new WindowReads<ServingSample>(x => x.Timestamp);
            }

            queue.Add(s);
        }
    }

    /// <summary>Rates per engine over the scrapes no older than the window before <paramref name="now"/>.</summary>
    public IReadOnlyList<ServingRates> Rates(DateTimeOffset now)
    {
        var result = new List<ServingRates>();
        foreach (var (key, queue) in _byEngine.ToArray())
        {
            queue.Trim(now, Length);
            if (queue.Count == 0)
            {
                _byEngine.Remove(key);
                continue;
            }

            if (ServingRateCalculator.Compute(queue.ToArray()) is { } rates)
            {
                result.Add(rates);
            }
        }

        return result.OrderBy(r => r.Engine, StringComparer.Ordinal).ToArray();
    }
}
