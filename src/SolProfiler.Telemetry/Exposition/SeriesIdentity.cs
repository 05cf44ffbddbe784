namespace SolProfiler.Telemetry.Exposition;

/// <summary>A series identity: sample name, label set (any order) and timestamp. <see cref="Line"/> is not part of it.</summary>
internal readonly record struct SeriesIdentity(string Name, Label[] Labels, bool HasTimestamp, double Timestamp, int Line);

/// <summary>Compares <see cref="SeriesIdentity"/>s as series: the same name, timestamp and label set in any order.</summary>
internal sealed class SeriesIdentityComparer : IEqualityComparer<SeriesIdentity>
{
    public static readonly SeriesIdentityComparer Instance = new();

    public bool Equals(SeriesIdentity x, SeriesIdentity y)
    {
        if (!string.Equals(x.Name, y.Name, StringComparison.Ordinal) ||
            x.Labels.Length != y.Labels.Length ||
            x.HasTimestamp != y.HasTimestamp ||
            (x.HasTimestamp && !x.Timestamp.Equals(y.Timestamp)))
        {
            return false;
        }

        if (ReferenceEquals(x.Labels, y.Labels))
        {
            return true;
        }

        if (x.Labels.Length <= 8)
        {
            // Label names are unique within a sample, so one-way containment with equal counts is set equality.
            foreach (var a in x.Labels)
            {
                var found = false;
                foreach (var b in y.Labels)
                {
                    if (string.Equals(a.Name, b.Name, StringComparison.Ordinal))
                    {
                        found = string.Equals(a.Value, b.Value, StringComparison.Ordinal);
                        break;
                    }
                }

                if (!found)
                {
                    return false;
                }
            }

            return true;
        }

        var xs = (Label[])x.Labels.Clone();
        var ys = (Label[])y.Labels.Clone();
        Array.Sort(xs, CompareLabels);
        Array.Sort(ys, CompareLabels);
        return xs.AsSpan().SequenceEqual(ys);
    }

    public int GetHashCode(SeriesIdentity obj)
    {
        var sum = 0;
        foreach (var label in obj.Labels)
        {
            sum += HashCode.Combine(label.Name, label.Value);
        }

        return HashCode.Combine(obj.Name, sum, obj.Labels.Length, obj.HasTimestamp ? obj.Timestamp : 0);
    }

    private static int CompareLabels(Label a, Label b)
    {
        var c = string.CompareOrdinal(a.Name, b.Name);
        return c != 0 ? c : string.CompareOrdinal(a.Value, b.Value);
    }
}
