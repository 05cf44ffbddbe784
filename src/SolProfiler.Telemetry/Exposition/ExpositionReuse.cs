namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// What one scraper's parses of the same endpoint share: the strings of its names and label values (a server writes
/// the same few hundred every second, so after the first scrape none is allocated again) and the size of its last
/// body's sample list (so the next one is allocated at its size at once). Bounded: past
/// <see cref="MaxStrings"/> distinct strings (an endpoint whose label values churn) the pool starts over.
/// Safe to share between threads: a parse takes the pool for itself, and a parse that finds it taken uses its own.
/// </summary>
public sealed class ExpositionReuse
{
    /// <summary>Distinct strings kept between parses; beyond it the pool is dropped after the parse.</summary>
    public const int MaxStrings = 16_384;

    private Utf8Interner? _strings = new();
    private int _lastSamples;

    internal Utf8Interner Take() => Interlocked.Exchange(ref _strings, null) ?? new Utf8Interner();

    internal int LastSamples => Volatile.Read(ref _lastSamples);

    internal void Return(Utf8Interner strings, int samples)
    {
        Volatile.Write(ref _lastSamples, samples);
        Interlocked.Exchange(ref _strings, strings.Count > MaxStrings ? new Utf8Interner() : strings);
    }
}
