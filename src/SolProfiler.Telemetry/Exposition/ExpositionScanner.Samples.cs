using System.Buffers;
using System.Globalization;
using static SolProfiler.Telemetry.Exposition.ExpositionSyntax;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// The sample lines: the metric name (bare, or quoted inside the label set), the label set, the value, the
/// timestamp and the exemplar marker, read in place into label slots over the line and the scratch buffer.
/// </summary>
internal sealed partial class ExpositionScanner
{
    private void ProcessSample(ReadOnlySpan<byte> line)
    {
        var classes = NameClasses;
        var pos = 0;
        ReadOnlySpan<byte> name = default;
        if ((classes[line[0]] & MetricStart) != 0)
        {
            pos = 1;
            while (pos < line.Length && (classes[line[pos]] & MetricChar) != 0)
            {
                pos++;
            }

            name = line[..pos];
        }

        var labelCount = 0;
        var afterLabels = false;
        var beforeBrace = pos;
        SkipBlanks(line, ref pos);
        if (pos < line.Length && line[pos] == (byte)'{')
        {
            pos++;
            afterLabels = true;
            while (true)
            {
                SkipBlanks(line, ref pos);
                if (pos >= line.Length)
                {
                    Error(_lines, "unterminated label set", line);
                    return;
                }

                var c = line[pos];
                if (c == (byte)'}')
                {
                    pos++;
                    break;
                }

                int nameStart;
                int nameLength;
                var nameInScratch = false;
                if (c == (byte)'"')
                {
                    if (!ReadQuoted(line, ref pos, out nameStart, out nameLength, out nameInScratch))
                    {
                        Error(_lines, QuotedError("unterminated quoted name"), line);
                        return;
                    }

                    SkipBlanks(line, ref pos);
                    if (pos < line.Length && line[pos] != (byte)'=')
                    {
                        // {"utf8.metric.name", ...}: a quoted metric name (Prometheus 3), once, at any position of
                        // the label set (as Prometheus's text parser takes it), and not beside a name before the brace.
                        if (!name.IsEmpty)
                        {
                            Error(_lines, "metric name already set: a second, quoted metric name in the label set", line);
                            return;
                        }

                        name = (nameInScratch ? _scratch.AsSpan() : line).Slice(nameStart, nameLength);
                        if (name.IsEmpty)
                        {
                            Error(_lines, "empty metric name", line);
                            return;
                        }

                        if (line[pos] == (byte)',')
                        {
                            pos++;
                        }
                        else if (line[pos] != (byte)'}')
                        {
                            Error(_lines, "expected ',' or '}' in label set", line);
                            return;
                        }

                        continue;
                    }
                }
                else
                {
                    nameStart = pos;
                    if ((classes[c] & LabelStart) == 0)
                    {
                        Error(_lines, "invalid label name", line);
                        return;
                    }

                    pos++;
                    while (pos < line.Length && (classes[line[pos]] & LabelChar) != 0)
                    {
                        pos++;
                    }

                    nameLength = pos - nameStart;
                    SkipBlanks(line, ref pos);
                }

                if (pos >= line.Length || line[pos] != (byte)'=')
                {
                    Error(_lines, "expected '=' after label name", line);
                    return;
                }

                pos++;
                SkipBlanks(line, ref pos);
                if (pos >= line.Length || line[pos] != (byte)'"')
                {
                    Error(_lines, "label value must be quoted", line);
                    return;
                }

                if (!ReadQuoted(line, ref pos, out var valueStart, out var valueLength, out var valueInScratch))
                {
                    Error(_lines, QuotedError("unterminated label value"), line);
                    return;
                }

                if (ReservedLabelError((nameInScratch ? _scratch.AsSpan() : line).Slice(nameStart, nameLength)) is { } reserved)
                {
                    Error(_lines, reserved, line);
                    return;
                }

                if (labelCount == _slots.Length)
                {
                    GrowSlots();
                }

                ref var slot = ref _slots[labelCount++];
                slot.NameStart = nameStart;
                slot.NameLength = nameLength;
                slot.NameInScratch = nameInScratch;
                slot.ValueStart = valueStart;
                slot.ValueLength = valueLength;
                slot.ValueInScratch = valueInScratch;

                SkipBlanks(line, ref pos);
                if (pos < line.Length && line[pos] == (byte)',')
                {
                    pos++;
                }
                else if (pos >= line.Length || line[pos] != (byte)'}')
                {
                    Error(_lines, "expected ',' or '}' in label set", line);
                    return;
                }
            }
        }

        if (name.IsEmpty)
        {
            Error(_lines, "missing or invalid metric name", line);
            return;
        }

        if (!afterLabels && pos == beforeBrace)
        {
            // The name ran into something that is neither a blank nor '{'.
            Error(_lines, pos == line.Length ? "missing value" : "invalid character in metric name", line);
            return;
        }

        // Both formats separate the label set from the value by a blank: in 'a{x=" # "}1' the 1 is no value.
        if (afterLabels && pos < line.Length && !IsBlank(line[pos]))
        {
            Error(_lines, "expected a blank between the label set and the value", line);
            return;
        }

        SkipBlanks(line, ref pos);
        if (pos >= line.Length)
        {
            Error(_lines, "missing value", line);
            return;
        }

        var tokenEnd = NextBlank(line, pos);
        if (!ExpositionNumber.TryParse(line[pos..tokenEnd], out var value))
        {
            Error(_lines, "invalid sample value", line);
            return;
        }

        pos = tokenEnd;
        SkipBlanks(line, ref pos);
        var hasTimestamp = false;
        double timestamp = 0;
        if (pos < line.Length && line[pos] != (byte)'#')
        {
            tokenEnd = NextBlank(line, pos);
            var token = line[pos..tokenEnd];
            if (!ExpositionNumber.TryParse(token, out timestamp) || !double.IsFinite(timestamp))
            {
                Error(_lines, "invalid timestamp", line);
                return;
            }

            // The text format's timestamp is an int64 of milliseconds: '2.72' is no timestamp there, not 2.72 ms.
            if (_declaredFormat == ExpositionFormat.PrometheusText004 && !IsInteger(token))
            {
                Error(_lines, "timestamp must be an integer of milliseconds in the text format", line);
                return;
            }

            hasTimestamp = true;
            pos = tokenEnd;
            SkipBlanks(line, ref pos);
            if (pos < line.Length && line[pos] != (byte)'#')
            {
                Error(_lines, "unexpected text after timestamp", line);
                return;
            }
        }

        // From " # " on: an exemplar, OpenMetrics only; it is checked, then left out of the sample.
        var hasExemplar = pos < line.Length;
        if (hasExemplar)
        {
            if (_declaredFormat == ExpositionFormat.PrometheusText004)
            {
                Error(_lines, "unexpected text after the value: the text format has no exemplars", line);
                return;
            }

            if (ExemplarError(line, pos) is { } exemplarError)
            {
                Error(_lines, exemplarError, line);
                return;
            }
        }

        var labels = _slots.AsSpan(0, labelCount);
        if (labelCount > 1 && HasDuplicateLabelName(line, labels))
        {
            Error(_lines, "duplicate label name", line);
            return;
        }

        if (++_samples > _limits.MaxSeries)
        {
            throw new ExpositionTooLargeException(string.Create(
                CultureInfo.InvariantCulture,
                $"body has more than the {_limits.MaxSeries} series limit (MaxSeries; at line {_lines})"));
        }

        var sample = new ExpositionSample(name, line, _scratch, labels, value, hasTimestamp, timestamp, _timestampsInSeconds, _lines, hasExemplar);
        _visitor.OnSample(in sample);
    }

    /// <summary>
    /// Both formats reserve label names beginning with <c>__</c>; <c>__name__</c> would rename the series, so it is refused
    /// in both, and OpenMetrics ("MUST NOT be used") refuses the rest too.
    /// </summary>
    private string? ReservedLabelError(ReadOnlySpan<byte> labelName)
    {
        if (labelName.Length < 2 || labelName[0] != (byte)'_' || labelName[1] != (byte)'_')
        {
            return null;
        }

        if (labelName.SequenceEqual("__name__"u8))
        {
            return "__name__ is the metric name, not a label";
        }

        return _declaredFormat == ExpositionFormat.OpenMetrics100 ? "label names beginning with __ are reserved in OpenMetrics" : null;
    }

    private void GrowSlots()
    {
        var bigger = ArrayPool<LabelSlot>.Shared.Rent(_slots.Length * 2);
        _slots.AsSpan().CopyTo(bigger);
        ArrayPool<LabelSlot>.Shared.Return(_slots);
        _slots = bigger;
    }
}
