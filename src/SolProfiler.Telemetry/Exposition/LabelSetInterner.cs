namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// The labels of a visited sample as an array of interned strings, built in a scratch array and shared with the
/// previous sample's when the set is the same. Not thread-safe; one per builder.
/// </summary>
internal sealed class LabelSetInterner(Utf8Interner strings)
{
    private Label[] _labelScratch = new Label[16];
    private Label[] _previousLabels = [];

    public Label[] Intern(in ExpositionSample sample)
    {
        var count = sample.LabelCount;
        if (count == 0)
        {
            return [];
        }

        if (_labelScratch.Length < count)
        {
            _labelScratch = new Label[Math.Max(count, _labelScratch.Length * 2)];
        }

        var scratch = _labelScratch.AsSpan(0, count);
        for (var i = 0; i < count; i++)
        {
            scratch[i] = new Label(strings.Get(sample.LabelName(i)), strings.Get(sample.LabelValue(i)));
        }

        // Consecutive samples often share a label set (x_sum, x_count, x_created): share the array too.
        var previous = _previousLabels;
        if (previous.Length == count)
        {
            var same = true;
            for (var i = 0; i < count; i++)
            {
                if (!string.Equals(previous[i].Name, scratch[i].Name, StringComparison.Ordinal) ||
                    !string.Equals(previous[i].Value, scratch[i].Value, StringComparison.Ordinal))
                {
                    same = false;
                    break;
                }
            }

            if (same)
            {
                return previous;
            }
        }

        return _previousLabels = scratch.ToArray();
    }
}
