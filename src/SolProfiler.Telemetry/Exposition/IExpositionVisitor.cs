namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// Receives what <see cref="ExpositionParser.Scan(Stream, IExpositionVisitor, ExpositionLimits?, string?)"/> reads, one
/// line at a time, without a document being built. Every span is only valid during the call; copy what you keep.
/// Only <see cref="OnSample"/> must be implemented.
/// </summary>
public interface IExpositionVisitor
{
    /// <summary>One well-formed sample line (exemplars already stripped).</summary>
    void OnSample(in ExpositionSample sample);

    /// <summary>A <c># TYPE name type</c> line.</summary>
    void OnType(ReadOnlySpan<byte> metricName, MetricType type, int lineNumber)
    {
    }

    /// <summary>A <c># HELP name text</c> line; <paramref name="text"/> is unescaped UTF-8.</summary>
    void OnHelp(ReadOnlySpan<byte> metricName, ReadOnlySpan<byte> text, int lineNumber)
    {
    }

    /// <summary>A <c># UNIT name unit</c> line (OpenMetrics).</summary>
    void OnUnit(ReadOnlySpan<byte> metricName, ReadOnlySpan<byte> unit, int lineNumber)
    {
    }

    /// <summary>
    /// A malformed line that was skipped. <paramref name="message"/> is a constant string (no allocation per error);
    /// <paramref name="lineText"/> is the start of the offending line (raw bytes, possibly cut).
    /// </summary>
    void OnLineError(int lineNumber, string message, ReadOnlySpan<byte> lineText)
    {
    }
}

/// <summary>One sample as the scanner saw it: spans into the scanner's buffers, valid only during the visitor call.</summary>
public readonly ref struct ExpositionSample
{
    private readonly ReadOnlySpan<byte> _line;
    private readonly ReadOnlySpan<byte> _scratch;
    private readonly ReadOnlySpan<LabelSlot> _labels;
    private readonly bool _hasTimestamp;
    private readonly double _timestamp;
    private readonly bool _timestampInSeconds;

    internal ExpositionSample(
        ReadOnlySpan<byte> name,
        ReadOnlySpan<byte> line,
        ReadOnlySpan<byte> scratch,
        ReadOnlySpan<LabelSlot> labels,
        double value,
        bool hasTimestamp,
        double timestamp,
        bool timestampInSeconds,
        int lineNumber,
        bool hasExemplar = false)
    {
        HasExemplar = hasExemplar;
        Name = name;
        _line = line;
        _scratch = scratch;
        _labels = labels;
        Value = value;
        _hasTimestamp = hasTimestamp;
        _timestamp = timestamp;
        _timestampInSeconds = timestampInSeconds;
        LineNumber = lineNumber;
    }

    /// <summary>The full sample name as written (UTF-8), for example <c>vllm:e2e_request_latency_seconds_bucket</c>.</summary>
    public ReadOnlySpan<byte> Name { get; }

    /// <summary>Whether the line carried an OpenMetrics exemplar (checked by the scanner, not kept).</summary>
    public bool HasExemplar { get; }

    public double Value { get; }

    /// <summary>1-based line number.</summary>
    public int LineNumber { get; }

    public int LabelCount => _labels.Length;

    /// <summary>The timestamp exactly as written (milliseconds in 0.0.4, seconds in OpenMetrics), or null.</summary>
    public double? RawTimestamp => _hasTimestamp ? _timestamp : null;

    /// <summary>
    /// The timestamp in seconds, read with the format known while scanning: OpenMetrics when declared by the content
    /// type or seen at the end of a seekable body, else Prometheus 0.0.4 (milliseconds). Null when absent.
    /// </summary>
    public double? TimestampSeconds => _hasTimestamp ? (_timestampInSeconds ? _timestamp : _timestamp / 1000.0) : null;

    /// <summary>The name of label <paramref name="index"/> (UTF-8, unescaped).</summary>
    public ReadOnlySpan<byte> LabelName(int index)
    {
        ref readonly var slot = ref _labels[index];
        return (slot.NameInScratch ? _scratch : _line).Slice(slot.NameStart, slot.NameLength);
    }

    /// <summary>The value of label <paramref name="index"/> (UTF-8, escapes resolved).</summary>
    public ReadOnlySpan<byte> LabelValue(int index)
    {
        ref readonly var slot = ref _labels[index];
        return (slot.ValueInScratch ? _scratch : _line).Slice(slot.ValueStart, slot.ValueLength);
    }

    /// <summary>Finds a label by name.</summary>
    public bool TryGetLabelValue(ReadOnlySpan<byte> name, out ReadOnlySpan<byte> value)
    {
        for (var i = 0; i < _labels.Length; i++)
        {
            if (LabelName(i).SequenceEqual(name))
            {
                value = LabelValue(i);
                return true;
            }
        }

        value = default;
        return false;
    }
}

/// <summary>What one scan read.</summary>
/// <param name="Format">The format decided for the body (content type, or a trailing <c># EOF</c>).</param>
/// <param name="Bytes">Bytes read from the stream.</param>
/// <param name="Lines">Lines seen, blank ones included.</param>
/// <param name="Samples">Samples delivered to the visitor.</param>
/// <param name="LineErrors">Malformed lines skipped.</param>
/// <param name="EofSeen">Whether a <c># EOF</c> line ended the body.</param>
public readonly record struct ExpositionScanResult(
    ExpositionFormat Format,
    long Bytes,
    int Lines,
    long Samples,
    int LineErrors,
    bool EofSeen)
{
    /// <summary>An OpenMetrics body that did not end with <c># EOF</c>.</summary>
    public bool Truncated => Format == ExpositionFormat.OpenMetrics100 && !EofSeen;
}

/// <summary>Where a label's name and value lie: in the line itself, or (when unescaped) in the scanner's scratch.</summary>
internal struct LabelSlot
{
    public int NameStart;
    public int NameLength;
    public int ValueStart;
    public int ValueLength;
    public bool NameInScratch;
    public bool ValueInScratch;
}
