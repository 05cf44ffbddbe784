namespace SolProfiler.Telemetry.Serving.Rates;

/// <summary>
/// A sliding window of scrapes per engine (bounded by <see cref="Length"/>): add each scrape, ask for the rates.
/// Engines that stop appearing age out with the window. Not thread-safe: one sampling loop owns it.
/// </summary>
/// <remarks>
/// A wall clock stepped back (NTP, a VM resumed) would put new scrapes before old ones and keep the old ones from
/// ever ageing out; an engine's scrapes therefore start over when a scrape is older than the newest held, and
/// scrapes "from the future" are dropped when the window is read. A step forward ages everything out at once.
/// </remarks>
public sealed class ServingWindow(TimeSpan length)
{
    /// <summary>How far a clock may wobble before a step back restarts the window (scrape timestamps are not exact).</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(1);

    private readonly Dictionary<(ServerKind Server, string Engine, string? Model), Queue<ServingSample>> _byEngine = [];
    private readonly Dictionary<(ServerKind Server, string Engine, string? Model), DateTimeOffset> _newest = [];

    public TimeSpan Length { get; } = length > TimeSpan.Zero ? length : throw new ArgumentOutOfRangeException(nameof(length), length, "window length must be positive");

    public void Add(IEnumerable<ServingSample> samples)
    {
        ArgumentNullException.ThrowIfNull(samples);
        foreach (var s in samples)
        {
            var key = (s.Server, s.Engine, s.Model);
            if (!_byEngine.TryGetValue(key, out var queue))
            {
                _byEngine[key] = queue = new Queue<ServingSample>();
            }
            else if (queue.Count > 0 && s.Timestamp < _newest[key] - ClockTolerance)
            {
                queue.Clear(); // the clock went back: rates across the step would be nonsense
            }

            queue.Enqueue(s);
            _newest[key] = queue.Count == 1 || s.Timestamp > _newest[key] ? s.Timestamp : _newest[key];
        }
    }

    /// <summary>Rates per engine over the scrapes no older than the window before <paramref name="now"/>.</summary>
    public IReadOnlyList<ServingRates> Rates(DateTimeOffset now)
    {
        var result = new List<ServingRates>();
        foreach (var (key, queue) in _byEngine.ToArray())
        {
            if (queue.Count > 0 && _newest[key] > now + ClockTolerance)
            {
                queue.Clear(); // held scrapes are in the future: the clock went back since they were taken
            }

            while (queue.Count > 0 && now - queue.Peek().Timestamp > Length)
            {
                queue.Dequeue();
            }

            if (queue.Count == 0)
            {
                _byEngine.Remove(key);
                _newest.Remove(key);
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
