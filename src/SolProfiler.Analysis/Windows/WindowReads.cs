namespace SolProfiler.Analysis.Windows;

/// <summary>
/// The reads a sliding window holds, oldest first, made safe against a wall clock that steps. A clock stepped back
/// (NTP, a VM resumed) would put new reads before old ones and keep the old ones from ever ageing out, so a read
/// older than the newest held (beyond <see cref="ClockTolerance"/>) starts the reads over, and reads "from the
/// future" are dropped when the window is trimmed. A step forward ages everything out at once. Not thread-safe.
/// </summary>
/// <remarks>One class for the serving and GPU windows, so both treat the clock the same way.</remarks>
public sealed class WindowReads<T>(Func<T, DateTimeOffset> timestampOf)
{
    /// <summary>How far a clock may wobble before a step back restarts the reads (read timestamps are not exact).</summary>
    public static readonly TimeSpan ClockTolerance = TimeSpan.FromSeconds(1);

    private readonly Queue<T> _items = new();
    private DateTimeOffset _newest;

    public int Count => _items.Count;

    public void Add(T item)
    {
        var at = timestampOf(item);
        if (_items.Count > 0 && at < _newest - ClockTolerance)
        {
            _items.Clear(); // the clock went back: rates across the step would be nonsense
        }

        if (_items.Count == 0 || at > _newest)
        {
            _newest = at;
        }

        _items.Enqueue(item);
    }

    /// <summary>Drops the reads more than <paramref name="length"/> before <paramref name="now"/>, or all of them when they lie in its future.</summary>
    public void Trim(DateTimeOffset now, TimeSpan length)
    {
        if (_items.Count > 0 && _newest > now + ClockTolerance)
        {
            _items.Clear(); // held reads are in the future: the clock went back since they were taken
        }

        while (_items.Count > 0 && now - timestampOf(_items.Peek()) > length)
        {
            _items.Dequeue();
        }
    }

    public IEnumerable<T> Items => _items;

    public T[] ToArray() => _items.ToArray();
}
