namespace SolProfiler.Fuzz;

/// <summary>The seed corpus: tests/fuzz/corpus/{exposition,sse}/, copied next to the harness and the tests.</summary>
internal static class Corpus
{
    public static readonly string[] Targets = ["exposition", "sse"];

    /// <summary>The seeds of <paramref name="target"/>, in file-name order (so a seeded run is the same everywhere).</summary>
    public static IReadOnlyList<byte[]> Load(string root, string target)
    {
        var directory = Path.Combine(root, target);
        if (!Directory.Exists(directory))
        {
            throw new DirectoryNotFoundException($"no seed corpus at {directory}");
        }

        return Directory.GetFiles(directory)
            .Order(StringComparer.Ordinal)
            .Select(File.ReadAllBytes)
            .ToArray();
    }
}
