using System.Text;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// Turns UTF-8 spans into strings, returning the same instance for the same bytes, so a document's memory grows with
/// its distinct names and label values rather than with its lines. ASCII strings are compared in place (no copy of
/// the bytes is kept); long strings (over <see cref="MaxInternedBytes"/>) are not pooled.
/// </summary>
internal sealed class Utf8Interner
{
    public const int MaxInternedBytes = 256;

    private int[] _buckets = new int[256];
    private Entry[] _entries = new Entry[128];
    private int _count;

    public int Count => _count;

    public string Get(ReadOnlySpan<byte> utf8)
    {
        if (utf8.IsEmpty)
        {
            return string.Empty;
        }

        if (utf8.Length > MaxInternedBytes)
        {
            return Encoding.UTF8.GetString(utf8);
        }

        var hash = Hash(utf8);
        var mask = _buckets.Length - 1;
        var i = hash & mask;
        while (true)
        {
            var slot = _buckets[i];
            if (slot == 0)
            {
                break;
            }

            ref var entry = ref _entries[slot - 1];
            if (entry.Hash == hash &&
                (entry.Utf8 is null ? Ascii.Equals(utf8, entry.Value) : utf8.SequenceEqual(entry.Utf8)))
            {
                return entry.Value;
            }

            i = (i + 1) & mask;
        }

        var value = Encoding.UTF8.GetString(utf8);
        if (_count == _entries.Length)
        {
            Array.Resize(ref _entries, _entries.Length * 2);
        }

        _entries[_count] = new Entry(hash, value, value.Length == utf8.Length ? null : utf8.ToArray());
        _count++;
        _buckets[i] = _count;
        if (_count * 2 > _buckets.Length)
        {
            Rehash();
        }

        return value;
    }

    private static int Hash(ReadOnlySpan<byte> utf8)
    {
        var h = default(HashCode);
        h.AddBytes(utf8);
        return h.ToHashCode() & 0x7fffffff;
    }

    private void Rehash()
    {
        var buckets = new int[_buckets.Length * 2];
        var mask = buckets.Length - 1;
        for (var e = 0; e < _count; e++)
        {
            var i = _entries[e].Hash & mask;
            while (buckets[i] != 0)
            {
                i = (i + 1) & mask;
            }

            buckets[i] = e + 1;
        }

        _buckets = buckets;
    }

    private readonly record struct Entry(int Hash, string Value, byte[]? Utf8);
}
