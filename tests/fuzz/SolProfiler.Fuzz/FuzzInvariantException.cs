namespace SolProfiler.Fuzz;

/// <summary>A parser broke one of its invariants on a fuzz input: treated as a crash, like an unexpected exception.</summary>
internal sealed class FuzzInvariantException : Exception
{
    public FuzzInvariantException(string message) : base(message) { }

    public FuzzInvariantException() { }

    public FuzzInvariantException(string message, Exception inner) : base(message, inner) { }

    public static void Check(bool condition, string message)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(message);
        }
    }

    /// <summary>A 32-bit FNV-1a hash of the input: picks per-input limits and read patterns deterministically.</summary>
    public static uint Salt(ReadOnlySpan<byte> input)
    {
        var h = 2166136261u;
        foreach (var b in input)
        {
            h = (h ^ b) * 16777619u;
        }

        return h;
    }

    public static int CountNewlines(ReadOnlySpan<byte> input) => input.Count((byte)'\n');
}
