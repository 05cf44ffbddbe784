using System.Globalization;
using System.Runtime.CompilerServices;

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

    /// <summary>As <see cref="Check(bool, string)"/>; the message is only formatted when the check fails (checks run per sample, per event).</summary>
    public static void Check(bool condition, [InterpolatedStringHandlerArgument(nameof(condition))] ref FailureMessage message)
    {
        if (!condition)
        {
            throw new FuzzInvariantException(message.ToStringAndClear());
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

/// <summary>An interpolated failure message that formats nothing while its condition holds.</summary>
[InterpolatedStringHandler]
internal ref struct FailureMessage
{
    private DefaultInterpolatedStringHandler _inner;

    public FailureMessage(int literalLength, int formattedCount, bool condition, out bool shouldAppend)
    {
        shouldAppend = !condition;
        _inner = shouldAppend ? new DefaultInterpolatedStringHandler(literalLength, formattedCount, CultureInfo.InvariantCulture) : default;
    }

    public void AppendLiteral(string value) => _inner.AppendLiteral(value);

    public void AppendFormatted<T>(T value) => _inner.AppendFormatted(value);

    public void AppendFormatted<T>(T value, string? format) => _inner.AppendFormatted(value, format);

    public string ToStringAndClear() => _inner.ToStringAndClear();
}
