using System.Buffers;
using System.Globalization;
using System.Text.Unicode;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// The line scanner behind <see cref="ExpositionParser"/>: bytes arrive in chunks into one pooled buffer, complete lines
/// are parsed in place (spans, no strings) and handed to an <see cref="IExpositionVisitor"/>. Memory is bounded by the
/// buffer (one chunk plus one line) whatever the body size. Not thread-safe; one instance per body.
/// </summary>
internal sealed class ExpositionScanner : IDisposable
{
    private const int MinBufferBytes = 64 * 1024;
    private const int ErrorExcerptBytes = 120;

    // Character classes for names (bytes >= 0x80 are accepted leniently as UTF-8 name characters).
    private const byte MetricStart = 1;
    private const byte MetricChar = 2;
    private const byte LabelStart = 4;
    private const byte LabelChar = 8;

    private static readonly byte[] s_classes = BuildClasses();

    // The line buffers come from a pool of their own, not ArrayPool.Shared. At the default 64 KiB line limit each is a
    // 128 KiB array, on the large-object heap. The shared pool keeps arrays per thread and per core and trims them only
    // at gen-2 collections, which an idle sidecar almost never has. A scrape's async continuations land on different
    // threads, so it kept allocating fresh buffers: in the soak the LOH grew 3.2 -> 5.5 MB over 10 minutes and would
    // until every thread held its own pair. This pool is thread-agnostic: as many buffers as scans run at once,
    // at most 8 kept per size.
    private static readonly ArrayPool<byte> s_lineBuffers = ArrayPool<byte>.Create(maxArrayLength: 4 * 1024 * 1024, maxArraysPerBucket: 8);

    private readonly IExpositionVisitor _visitor;
    private readonly ExpositionLimits _limits;
    private readonly ExpositionFormat? _declaredFormat;
    private readonly bool _timestampsInSeconds;
    private byte[] _buffer;
    private byte[] _scratch;
    private LabelSlot[] _slots;
    private int[]? _hashTable;
    private int _start;
    private int _end;
    private int _searchFrom;
    private int _scratchUsed;
    private long _bytes;
    private int _lines;
    private long _samples;
    private int _lineErrors;
    private bool _skipping;
    private bool _eofSeen;
    private bool _lastNonBlankIsEof;
    private byte? _invalidEscape;

    public ExpositionScanner(IExpositionVisitor visitor, ExpositionLimits limits, ExpositionFormat? declaredFormat)
    {
        _visitor = visitor;
        _limits = limits;
        _declaredFormat = declaredFormat;
        _timestampsInSeconds = declaredFormat == ExpositionFormat.OpenMetrics100;
        _buffer = s_lineBuffers.Rent(Math.Max(MinBufferBytes, limits.MaxLineBytes + 8));
        _scratch = s_lineBuffers.Rent(limits.MaxLineBytes + 2);
        _slots = ArrayPool<LabelSlot>.Shared.Rent(16);
    }

    public long Bytes => _bytes;

    public ExpositionScanResult Result
    {
        get
        {
            var format = _declaredFormat ?? (_lastNonBlankIsEof ? ExpositionFormat.OpenMetrics100 : ExpositionFormat.PrometheusText004);
            var eof = _declaredFormat == ExpositionFormat.OpenMetrics100 ? _eofSeen : _lastNonBlankIsEof;
            return new ExpositionScanResult(format, _bytes, _lines, _samples, _lineErrors, eof);
        }
    }

    /// <summary>Where the next read should go: free buffer space, never more than one byte past <see cref="ExpositionLimits.MaxBytes"/>.</summary>
    public Memory<byte> ReadTarget()
    {
        if (_start > 0)
        {
            var pending = _end - _start;
            if (pending > 0)
            {
                Buffer.BlockCopy(_buffer, _start, _buffer, 0, pending);
            }

            _searchFrom -= _start;
            _end = pending;
            _start = 0;
        }

        var free = _buffer.Length - _end;
        var allowed = _limits.MaxBytes + 1 - _bytes;
        return _buffer.AsMemory(_end, (int)Math.Min(free, allowed));
    }

    /// <summary>Takes <paramref name="read"/> bytes written into <see cref="ReadTarget"/>; 0 means the body ended.</summary>
    public void Advance(int read)
    {
        if (read <= 0)
        {
            Complete();
            return;
        }

        _bytes += read;
        if (_bytes > _limits.MaxBytes)
        {
            throw new ExpositionTooLargeException(string.Create(
                CultureInfo.InvariantCulture,
                $"body exceeds the {ExpositionParser.FormatBytes(_limits.MaxBytes)} limit (MaxBytes; read {_bytes} bytes)"));
        }

        _end += read;
        ProcessLines();
    }

    public void Dispose()
    {
        if (_buffer.Length == 0)
        {
            return; // disposed already: the buffers are back in their pools
        }

        s_lineBuffers.Return(_buffer);
        s_lineBuffers.Return(_scratch);
        ArrayPool<LabelSlot>.Shared.Return(_slots);
        if (_hashTable is not null)
        {
            ArrayPool<int>.Shared.Return(_hashTable);
        }

        _buffer = _scratch = [];
        _slots = [];
        _hashTable = null;
    }

    private void Complete()
    {
        if (_skipping)
        {
            // An over-long last line without a newline: it was reported at _lines + 1 and is a line of the body, so it
            // counts (else Lines is one short of the line numbers the visitor was given; found by fuzzing).
            _lines++;
        }
        else if (_end > _start)
        {
            _lines++;
            ProcessLine(_buffer.AsSpan(_start, _end - _start));
        }

        _start = _end = _searchFrom = 0;
        _skipping = false;
    }

    private void ProcessLines()
    {
        var buffer = _buffer;
        while (true)
        {
            var from = Math.Max(_start, _searchFrom);
            var index = buffer.AsSpan(from, _end - from).IndexOf((byte)'\n');
            if (index < 0)
            {
                _searchFrom = _end;
                break;
            }

            var newline = from + index;
            _lines++;
            if (_skipping)
            {
                _skipping = false;
            }
            else
            {
                ProcessLine(buffer.AsSpan(_start, newline - _start));
            }

            _start = newline + 1;
        }

        if (_skipping)
        {
            _start = _end = _searchFrom = 0;
        }
        else if (_end - _start > _limits.MaxLineBytes + 1)
        {
            Error(_lines + 1, "line longer than MaxLineBytes", buffer.AsSpan(_start, _end - _start));
            _skipping = true;
            _start = _end = _searchFrom = 0;
        }
    }

    private void Error(int lineNumber, string message, ReadOnlySpan<byte> line)
    {
        _lineErrors++;
        _visitor.OnLineError(lineNumber, message, line.Length > ErrorExcerptBytes ? line[..ErrorExcerptBytes] : line);
    }

    private static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t';

    private void ProcessLine(ReadOnlySpan<byte> line)
    {
        if (!line.IsEmpty && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Length > _limits.MaxLineBytes)
        {
            Error(_lines, "line longer than MaxLineBytes", line);
            return;
        }

        var first = 0;
        while (first < line.Length && IsBlank(line[first]))
        {
            first++;
        }

        var last = line.Length;
        while (last > first && IsBlank(line[last - 1]))
        {
            last--;
        }

        if (first == last)
        {
            // The text format ignores empty lines; OpenMetrics has none (every line is a descriptor, a sample or # EOF).
            if (_declaredFormat == ExpositionFormat.OpenMetrics100 && !_eofSeen)
            {
                Error(_lines, "empty line (OpenMetrics allows none)", line);
            }

            return;
        }

        line = line[first..last];
        if (_eofSeen && _declaredFormat == ExpositionFormat.OpenMetrics100)
        {
            Error(_lines, "content after # EOF", line);
            return;
        }

        _lastNonBlankIsEof = false;
        if (!Utf8.IsValid(line))
        {
            Error(_lines, "invalid UTF-8", line);
            return;
        }

        _scratchUsed = 0;
        if (line[0] == (byte)'#')
        {
            ProcessComment(line);
        }
        else
        {
            ProcessSample(line);
        }
    }

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
            if (pos < line.Length && (s_classes[line[pos]] & MetricStart) != 0)
            {
                pos++;
                while (pos < line.Length && (s_classes[line[pos]] & MetricChar) != 0)
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

    private static void SkipBlanks(ReadOnlySpan<byte> line, ref int pos)
    {
        while (pos < line.Length && IsBlank(line[pos]))
        {
            pos++;
        }
    }

    private void ProcessSample(ReadOnlySpan<byte> line)
    {
        var classes = s_classes;
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

    /// <summary>
    /// OpenMetrics: <c># {labels} value [timestamp]</c> after the sample, the label names and values together at most
    /// 128 characters. Returns what is wrong, or null.
    /// </summary>
    private string? ExemplarError(ReadOnlySpan<byte> line, int pos)
    {
        // pos is at '#': "# " then the label set.
        if (pos + 2 >= line.Length || line[pos + 1] != (byte)' ' || line[pos + 2] != (byte)'{')
        {
            return "an exemplar is '# {labels} value [timestamp]'";
        }

        pos += 3;
        var characters = 0;
        while (true)
        {
            SkipBlanks(line, ref pos);
            if (pos >= line.Length)
            {
                return "unterminated exemplar label set";
            }

            if (line[pos] == (byte)'}')
            {
                pos++;
                break;
            }

            var nameStart = pos;
            if ((s_classes[line[pos]] & LabelStart) == 0)
            {
                return "invalid exemplar label name";
            }

            while (pos < line.Length && (s_classes[line[pos]] & LabelChar) != 0)
            {
                pos++;
            }

            characters += Utf8Characters(line[nameStart..pos]);
            if (pos >= line.Length || line[pos] != (byte)'=' || pos + 1 >= line.Length || line[pos + 1] != (byte)'"')
            {
                return "an exemplar label is name=\"value\"";
            }

            pos++;
            var used = _scratchUsed;
            if (!ReadQuoted(line, ref pos, out var valueStart, out var valueLength, out var inScratch))
            {
                return QuotedError("unterminated exemplar label value");
            }

            characters += Utf8Characters((inScratch ? _scratch.AsSpan() : line).Slice(valueStart, valueLength));
            _scratchUsed = used;
            if (pos < line.Length && line[pos] == (byte)',')
            {
                pos++;
            }
        }

        if (characters > 128)
        {
            return string.Create(CultureInfo.InvariantCulture, $"exemplar labels are {characters} characters (at most 128)");
        }

        if (pos >= line.Length || !IsBlank(line[pos]))
        {
            return "an exemplar needs a value after its label set";
        }

        SkipBlanks(line, ref pos);
        var end = NextBlank(line, pos);
        if (!ExpositionNumber.TryParse(line[pos..end], out _))
        {
            return "invalid exemplar value";
        }

        pos = end;
        SkipBlanks(line, ref pos);
        if (pos < line.Length)
        {
            end = NextBlank(line, pos);
            if (!ExpositionNumber.TryParse(line[pos..end], out var ts) || !double.IsFinite(ts) || end != line.Length)
            {
                return "invalid exemplar timestamp";
            }
        }

        return null;
    }

    private static int Utf8Characters(ReadOnlySpan<byte> text)
    {
        var count = 0;
        foreach (var b in text)
        {
            count += (b & 0xC0) != 0x80 ? 1 : 0;
        }

        return count;
    }

    /// <summary>Why <see cref="ReadQuoted"/> failed: an escape neither format allows, else <paramref name="unterminated"/>.</summary>
    private string QuotedError(string unterminated) => _invalidEscape is { } e
        ? string.Create(CultureInfo.InvariantCulture, $"invalid escape '\\{(char)e}' in a quoted string (only \\\\, \\\" and \\n are allowed)")
        : unterminated;

    private static bool IsInteger(ReadOnlySpan<byte> token)
    {
        var digits = token.Length > 0 && (token[0] == (byte)'-' || token[0] == (byte)'+') ? token[1..] : token;
        return !digits.IsEmpty && digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
    }

    private static int NextBlank(ReadOnlySpan<byte> line, int pos)
    {
        var index = line[pos..].IndexOfAny((byte)' ', (byte)'\t');
        return index < 0 ? line.Length : pos + index;
    }

    /// <summary>
    /// Reads a double-quoted string starting at <paramref name="pos"/> (the opening quote). Without escapes the result
    /// is a slice of the line; with escapes (<c>\\</c>, <c>\"</c>, <c>\n</c>; any other fails, naming it) it is unescaped
    /// into the scratch buffer. On return <paramref name="pos"/> is just past the closing quote.
    /// </summary>
    private bool ReadQuoted(ReadOnlySpan<byte> line, ref int pos, out int start, out int length, out bool inScratch)
    {
        _invalidEscape = null;
        pos++;
        var rest = line[pos..];
        var index = rest.IndexOfAny((byte)'"', (byte)'\\');
        start = pos;
        length = 0;
        inScratch = false;
        if (index < 0)
        {
            return false;
        }

        if (rest[index] == (byte)'"')
        {
            length = index;
            pos += index + 1;
            return true;
        }

        var output = _scratch.AsSpan();
        var w = _scratchUsed;
        start = w;
        inScratch = true;
        while (true)
        {
            rest[..index].CopyTo(output[w..]);
            w += index;
            if (rest[index] == (byte)'"')
            {
                pos += index + 1;
                break;
            }

            if (index + 1 >= rest.Length)
            {
                return false;
            }

            var e = rest[index + 1];
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
                    // Both formats allow only \\, \" and \n in a quoted string; anything else is no text to keep.
                    _invalidEscape = e;
                    return false;
            }

            pos += index + 2;
            rest = line[pos..];
            index = rest.IndexOfAny((byte)'"', (byte)'\\');
            if (index < 0)
            {
                return false;
            }
        }

        length = w - start;
        _scratchUsed = w;
        return true;
    }

    private bool HasDuplicateLabelName(ReadOnlySpan<byte> line, ReadOnlySpan<LabelSlot> labels)
    {
        var scratch = _scratch.AsSpan();
        if (labels.Length <= 8)
        {
            for (var i = 1; i < labels.Length; i++)
            {
                var a = (labels[i].NameInScratch ? scratch : line).Slice(labels[i].NameStart, labels[i].NameLength);
                for (var j = 0; j < i; j++)
                {
                    if (labels[j].NameLength == a.Length &&
                        a.SequenceEqual((labels[j].NameInScratch ? scratch : line).Slice(labels[j].NameStart, labels[j].NameLength)))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        // Many labels: open addressing over a pooled table, so a pathological line stays linear.
        var size = 16;
        while (size < labels.Length * 2)
        {
            size <<= 1;
        }

        if (_hashTable is null || _hashTable.Length < size)
        {
            if (_hashTable is not null)
            {
                ArrayPool<int>.Shared.Return(_hashTable);
            }

            _hashTable = ArrayPool<int>.Shared.Rent(size);
        }

        var table = _hashTable.AsSpan(0, size);
        table.Fill(-1);
        var mask = size - 1;
        for (var i = 0; i < labels.Length; i++)
        {
            var a = (labels[i].NameInScratch ? scratch : line).Slice(labels[i].NameStart, labels[i].NameLength);
            var h = Fnv(a) & mask;
            while (table[h] >= 0)
            {
                var j = table[h];
                if (a.SequenceEqual((labels[j].NameInScratch ? scratch : line).Slice(labels[j].NameStart, labels[j].NameLength)))
                {
                    return true;
                }

                h = (h + 1) & mask;
            }

            table[h] = i;
        }

        return false;
    }

    private static int Fnv(ReadOnlySpan<byte> bytes)
    {
        var h = 2166136261u;
        foreach (var b in bytes)
        {
            h = (h ^ b) * 16777619u;
        }

        return (int)(h & 0x7fffffff);
    }

    private void GrowSlots()
    {
        var bigger = ArrayPool<LabelSlot>.Shared.Rent(_slots.Length * 2);
        _slots.AsSpan().CopyTo(bigger);
        ArrayPool<LabelSlot>.Shared.Return(_slots);
        _slots = bigger;
    }

    private static byte[] BuildClasses()
    {
        var classes = new byte[256];
        for (var b = 0; b < 256; b++)
        {
            var c = (char)b;
            byte k = 0;
            var letter = c is (>= 'a' and <= 'z') or (>= 'A' and <= 'Z') or '_';
            var digit = c is >= '0' and <= '9';
            if (letter || c == ':')
            {
                k |= MetricStart | MetricChar;
            }

            if (digit)
            {
                k |= MetricChar | LabelChar;
            }

            if (letter)
            {
                k |= LabelStart | LabelChar;
            }

            if (b >= 0x80)
            {
                k = MetricStart | MetricChar | LabelStart | LabelChar;
            }

            classes[b] = k;
        }

        return classes;
    }
}
