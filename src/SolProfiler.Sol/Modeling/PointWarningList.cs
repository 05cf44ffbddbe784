using System.Collections;
using System.Globalization;

namespace SolProfiler.Sol.Modeling;

/// <summary>
/// The warnings of one operating point: the configuration's, then the point's own (does not fit, idle pipeline
/// stages, uneven attention-DP groups), formatted when first read. A sweep or a frontier evaluates thousands of
/// points that do not fit and reads the warnings of a few, so the text is not built per point (issue 16).
/// </summary>
internal sealed class PointWarningList(
    IReadOnlyList<string> configuration,
    int batch,
    bool fits,
    double neededBytes,
    double memoryBytes,
    int pp,
    int attentionDp) : IReadOnlyList<string>
{
    private string[]? _text;

    /// <summary>Whether the point adds a warning of its own to the configuration's (when not, those are used as they are).</summary>
    public static bool Applies(int batch, bool fits, int pp, int attentionDp) =>
        !fits || batch < pp || (attentionDp > 1 && batch % attentionDp != 0);

    public int Count => configuration.Count + (fits ? 0 : 1) + (batch < pp ? 1 : 0) + (attentionDp > 1 && batch % attentionDp != 0 ? 1 : 0);

    public string this[int index] => Text()[index];

    public IEnumerator<string> GetEnumerator() => ((IEnumerable<string>)Text()).GetEnumerator();

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    private string[] Text() => _text ??= Format();

    private string[] Format()
    {
        var list = new List<string>(Count);
        list.AddRange(configuration);
        if (!fits)
        {
            list.Add(string.Create(CultureInfo.InvariantCulture, $"does not fit: needs {neededBytes / 1e9:F1} GB per GPU of {memoryBytes / 1e9:F1} GB (weights plus KV at this batch and context)"));
        }

        if (batch < pp)
        {
            list.Add(string.Create(CultureInfo.InvariantCulture, $"batch {batch} < PP {pp}: pipeline stages sit idle part of each step"));
        }

        if (attentionDp > 1 && batch % attentionDp != 0)
        {
            list.Add(string.Create(CultureInfo.InvariantCulture, $"batch {batch} does not spread evenly over {attentionDp} attention-DP groups; the fullest group sets the step"));
        }

        return [.. list];
    }
}
