using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// Samples equal when their labels other than <c>le</c> are the same set, whatever order they were written in: how a
/// histogram's <c>_bucket</c>, <c>_sum</c> and <c>_count</c> lines are grouped into one series. Compares the labels in
/// place (a series has a handful) and by index (foreach over the list would box an enumerator), so grouping a
/// scrape's histograms allocates no key per sample.
/// </summary>
internal sealed class LabelsExceptLe : IEqualityComparer<MetricSample>
{
    private const string Le = "le";

    public static LabelsExceptLe Instance { get; } = new();

    public bool Equals(MetricSample? x, MetricSample? y)
    {
        if (ReferenceEquals(x, y))
        {
            return true;
        }

        if (x is null || y is null || Count(x.Labels) != Count(y.Labels))
        {
            return false;
        }

        var labels = x.Labels;
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            if (label.Name != Le && !string.Equals(y.LabelValue(label.Name), label.Value, StringComparison.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    public int GetHashCode(MetricSample obj)
    {
        ArgumentNullException.ThrowIfNull(obj);
        // A sum of the labels' hashes: the same whatever the order of the labels.
        var hash = 0;
        var labels = obj.Labels;
        for (var i = 0; i < labels.Count; i++)
        {
            var label = labels[i];
            if (label.Name != Le)
            {
                hash += HashCode.Combine(StringComparer.Ordinal.GetHashCode(label.Name), StringComparer.Ordinal.GetHashCode(label.Value));
            }
        }

        return hash;
    }

    private static int Count(IReadOnlyList<Label> labels)
    {
        var count = 0;
        for (var i = 0; i < labels.Count; i++)
        {
            count += labels[i].Name == Le ? 0 : 1;
        }

        return count;
    }
}
