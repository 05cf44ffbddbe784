using System.Buffers;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// Whether a sample names a label twice: pairwise for a few labels, over a pooled open-addressing table for many,
/// so a pathological line stays linear.
/// </summary>
internal sealed partial class ExpositionScanner
{
    private bool HasDuplicateLabelName(ReadOnlySpan<byte> line, ReadOnlySpan<LabelSlot> labels)
    {
        var scratch = _scratch.AsSpan();
        if (labels.Length <= 8)
        {
            for (var i = 1; i < labels.Length; i++)
            {
                var a = (labels[i].NameInScratch ? scratch : line).Slice(labels[i].NameStart, labels[i].NameLength);
                for (var j = 0; j < i; j++)
                {
                    if (labels[j].NameLength == a.Length &&
                        a.SequenceEqual((labels[j].NameInScratch ? scratch : line).Slice(labels[j].NameStart, labels[j].NameLength)))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        // Many labels: open addressing over a pooled table, so a pathological line stays linear.
        var size = 16;
        while (size < labels.Length * 2)
        {
            size <<= 1;
        }

        if (_hashTable is null || _hashTable.Length < size)
        {
            if (_hashTable is not null)
            {
                ArrayPool<int>.Shared.Return(_hashTable);
            }

            _hashTable = ArrayPool<int>.Shared.Rent(size);
        }

        var table = _hashTable.AsSpan(0, size);
        table.Fill(-1);
        var mask = size - 1;
        for (var i = 0; i < labels.Length; i++)
        {
            var a = (labels[i].NameInScratch ? scratch : line).Slice(labels[i].NameStart, labels[i].NameLength);
            var h = Fnv(a) & mask;
            while (table[h] >= 0)
            {
                var j = table[h];
                if (a.SequenceEqual((labels[j].NameInScratch ? scratch : line).Slice(labels[j].NameStart, labels[j].NameLength)))
                {
                    return true;
                }

                h = (h + 1) & mask;
            }

            table[h] = i;
        }

        return false;
    }

    private static int Fnv(ReadOnlySpan<byte> bytes)
    {
        var h = 2166136261u;
        foreach (var b in bytes)
        {
            h = (h ^ b) * 16777619u;
        }

        return (int)(h & 0x7fffffff);
    }
}
