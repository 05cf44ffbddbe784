namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// Collects the fields an adapter read, keyed by model and engine, and turns them into one <see cref="ServingSample"/>
/// per key. A field nobody set stays null.
/// </summary>
internal sealed class SampleTable
{
    private readonly Dictionary<SeriesKey, ServingSample> _rows = [];
    private readonly ServerKind _server;
    private readonly string? _versionHint;
    private readonly DateTimeOffset _timestamp;

    public SampleTable(ServerKind server, string? versionHint, DateTimeOffset timestamp)
    {
        _server = server;
        _versionHint = versionHint;
        _timestamp = timestamp;
    }

    /// <summary>Sets a field on every key that has a value (creating the row when it is new).</summary>
    public SampleTable Put<T>(Dictionary<SeriesKey, T> values, Func<ServingSample, T, ServingSample> set)
    {
        foreach (var (key, value) in values)
        {
            _rows[key] = set(Row(key), value);
        }

        return this;
    }

    /// <summary>
    /// Sets a numeric field on every key whose value is a finite, non-negative number (every field of a sample is a count,
    /// a size, a ratio or a duration): a server publishing nonsense (negative, NaN, infinite) leaves that field null.
    /// </summary>
    public SampleTable Put(Dictionary<SeriesKey, double> values, Func<ServingSample, double, ServingSample> set)
    {
        foreach (var (key, value) in values)
        {
            if (double.IsFinite(value) && value >= 0)
            {
                _rows[key] = set(Row(key), value);
            }
        }

        return this;
    }

    /// <summary>Sets a field on rows that already exist only (for configuration values that alone do not make an engine).</summary>
    public SampleTable Fill<T>(Dictionary<SeriesKey, T> values, Func<ServingSample, T, ServingSample> set)
    {
        foreach (var (key, value) in values)
        {
            if (_rows.TryGetValue(key, out var row))
            {
                _rows[key] = set(row, value);
            }
        }

        return this;
    }

    /// <summary>As <see cref="Fill{T}"/>, for a numeric field: values that are not finite and non-negative are left out.</summary>
    public SampleTable Fill(Dictionary<SeriesKey, double> values, Func<ServingSample, double, ServingSample> set)
    {
        foreach (var (key, value) in values)
        {
            if (double.IsFinite(value) && value >= 0 && _rows.TryGetValue(key, out var row))
            {
                _rows[key] = set(row, value);
            }
        }

        return this;
    }

    /// <summary>Rewrites every existing row (for values matched to rows by a rule of their own).</summary>
    public SampleTable Update(Func<SeriesKey, ServingSample, ServingSample> set)
    {
        foreach (var key in _rows.Keys.ToArray())
        {
            _rows[key] = set(key, _rows[key]);
        }

        return this;
    }

    public IReadOnlyList<ServingSample> ToSamples() =>
        _rows
            .OrderBy(r => r.Key.Model ?? string.Empty, StringComparer.Ordinal)
            .ThenBy(r => r.Key.Engine, EngineComparer.Instance)
            .Select(r => r.Value)
            .ToArray();

    private ServingSample Row(SeriesKey key) =>
        _rows.TryGetValue(key, out var row)
            ? row
            : new ServingSample
            {
                Server = _server,
                VersionHint = _versionHint,
                Model = key.Model,
                Engine = key.Engine,
                Timestamp = _timestamp,
            };

    /// <summary>Numeric engine ids in numeric order ("2" before "10"), others after them, ordinally.</summary>
    private sealed class EngineComparer : IComparer<string>
    {
        public static EngineComparer Instance { get; } = new();

        public int Compare(string? x, string? y)
        {
            var xNum = long.TryParse(x, out var a);
            var yNum = long.TryParse(y, out var b);
            if (xNum && yNum)
            {
                return a.CompareTo(b);
            }

            if (xNum != yNum)
            {
                return xNum ? -1 : 1;
            }

            return string.CompareOrdinal(x, y);
        }
    }
}
