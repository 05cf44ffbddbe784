namespace SolProfiler.Telemetry.Exposition;

/// <summary>Bounds on what one scrape may cost; a body over them is refused with <see cref="ExpositionTooLargeException"/>.</summary>
public sealed record ExpositionLimits
{
    public static ExpositionLimits Default { get; } = new();

    /// <summary>Largest body accepted, in bytes (default 16 MiB).</summary>
    public long MaxBytes { get; init; } = 16 * 1024 * 1024;

    /// <summary>Most samples (series) accepted in one body.</summary>
    public int MaxSeries { get; init; } = 200_000;

    /// <summary>Longest line accepted, in bytes; a longer line is a parse error, not a refusal.</summary>
    public int MaxLineBytes { get; init; } = 64 * 1024;

    /// <summary>How many line errors are kept with their text (all are counted).</summary>
    public int MaxErrorsKept { get; init; } = 20;
}

/// <summary>The body exceeded <see cref="ExpositionLimits"/>; the message says which limit and by how much.</summary>
public sealed class ExpositionTooLargeException : Exception
{
    public ExpositionTooLargeException(string message) : base(message) { }

    public ExpositionTooLargeException() { }

    public ExpositionTooLargeException(string message, Exception inner) : base(message, inner) { }
}
