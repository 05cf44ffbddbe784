using static SolProfiler.Telemetry.Exposition.ExpositionSyntax;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// The descriptor lines: <c># HELP</c>, <c># TYPE</c>, <c># UNIT</c> and <c># EOF</c>, with the type names each format
/// allows and the HELP text's escapes; any other <c>#</c> line is a comment of the text format.
/// </summary>
internal sealed partial class ExpositionScanner
{
    private void ProcessComment(ReadOnlySpan<byte> line)
    {
        var pos = 1;
        SkipBlanks(line, ref pos);
        var keywordStart = pos;
        while (pos < line.Length && !IsBlank(line[pos]))
        {
            pos++;
        }

        var keyword = line[keywordStart..pos];
        if (keyword.SequenceEqual("EOF"u8))
        {
            if (pos == line.Length)
            {
                _eofSeen = true;
                _lastNonBlankIsEof = true;
            }

            return;
        }

        var isHelp = keyword.SequenceEqual("HELP"u8);
        var isType = !isHelp && keyword.SequenceEqual("TYPE"u8);
        var isUnit = !isHelp && !isType && keyword.SequenceEqual("UNIT"u8);
        if (!isHelp && !isType && !isUnit)
        {
            // A comment in the text format; OpenMetrics has none (a '#' line is a descriptor or # EOF).
            if (_declaredFormat == ExpositionFormat.OpenMetrics100)
            {
                Error(_lines, "not a descriptor: OpenMetrics has no comment lines (only # HELP, # TYPE, # UNIT and # EOF)", line);
            }

            return;
        }

        SkipBlanks(line, ref pos);
        ReadOnlySpan<byte> name;
        if (pos < line.Length && line[pos] == (byte)'"')
        {
            if (!ReadQuoted(line, ref pos, out var s, out var n, out var inScratch))
            {
                Error(_lines, QuotedError("unterminated quoted metric name in metadata"), line);
                return;
            }

            name = (inScratch ? _scratch.AsSpan() : line).Slice(s, n);
        }
        else
        {
            var nameStart = pos;
            if (pos < line.Length && (NameClasses[line[pos]] & MetricStart) != 0)
            {
                pos++;
                while (pos < line.Length && (NameClasses[line[pos]] & MetricChar) != 0)
                {
                    pos++;
                }
            }

            name = line[nameStart..pos];
        }

        if (name.IsEmpty || (pos < line.Length && !IsBlank(line[pos])))
        {
            Error(_lines, "missing or invalid metric name in metadata line", line);
            return;
        }

        SkipBlanks(line, ref pos);
        var rest = line[pos..];
        if (isType)
        {
            if (!TryParseType(rest, out var type))
            {
                Error(_lines, rest.IsEmpty ? "missing metric type in # TYPE" : "unknown metric type in # TYPE", line);
                return;
            }

            if (TypeFormatError(type) is { } typeError)
            {
                Error(_lines, typeError, line);
                return;
            }

            _visitor.OnType(name, type, _lines);
        }
        else if (isHelp)
        {
            _visitor.OnHelp(name, UnescapeHelp(rest), _lines);
        }
        else
        {
            _visitor.OnUnit(name, rest, _lines);
        }
    }

    private ReadOnlySpan<byte> UnescapeHelp(ReadOnlySpan<byte> text)
    {
        var backslash = text.IndexOf((byte)'\\');
        if (backslash < 0)
        {
            return text;
        }

        var output = _scratch.AsSpan(_scratchUsed);
        var w = 0;
        var i = 0;
        while (i < text.Length)
        {
            var b = text[i];
            if (b == (byte)'\\' && i + 1 < text.Length)
            {
                var e = text[i + 1];
                switch (e)
                {
                    case (byte)'n':
                        output[w++] = (byte)'\n';
                        break;
                    case (byte)'\\':
                    case (byte)'"':
                        output[w++] = e;
                        break;
                    default:
                        output[w++] = b;
                        output[w++] = e;
                        break;
                }

                i += 2;
            }
            else
            {
                output[w++] = b;
                i++;
            }
        }

        _scratchUsed += w;
        return output[..w];
    }

    private static bool TryParseType(ReadOnlySpan<byte> text, out MetricType type)
    {
        type = text switch
        {
            _ when text.SequenceEqual("counter"u8) => MetricType.Counter,
            _ when text.SequenceEqual("gauge"u8) => MetricType.Gauge,
            _ when text.SequenceEqual("histogram"u8) => MetricType.Histogram,
            _ when text.SequenceEqual("gaugehistogram"u8) => MetricType.GaugeHistogram,
            _ when text.SequenceEqual("summary"u8) => MetricType.Summary,
            _ when text.SequenceEqual("info"u8) => MetricType.Info,
            _ when text.SequenceEqual("stateset"u8) => MetricType.StateSet,
            _ when text.SequenceEqual("untyped"u8) => MetricType.Untyped,
            _ when text.SequenceEqual("unknown"u8) => MetricType.Unknown,
            _ => (MetricType)(-1),
        };
        return type >= 0;
    }

    /// <summary>
    /// The text format 0.0.4 has five types (counter, gauge, histogram, summary, untyped); OpenMetrics has eight and
    /// writes <c>unknown</c> where the text format writes <c>untyped</c>. Undecided format (no content type, the body
    /// still streaming): every type is taken.
    /// </summary>
    private string? TypeFormatError(MetricType type) => _declaredFormat switch
    {
        ExpositionFormat.PrometheusText004 when type is MetricType.GaugeHistogram or MetricType.Info or MetricType.StateSet or MetricType.Unknown =>
            "an OpenMetrics type, not one of the text format's (counter, gauge, histogram, summary, untyped)",
        ExpositionFormat.OpenMetrics100 when type is MetricType.Untyped => "untyped is no OpenMetrics type (OpenMetrics writes unknown)",
        _ => null,
    };
}
