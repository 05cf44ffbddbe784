using System.Buffers;
using System.Globalization;
using System.Text.Unicode;
using static SolProfiler.Telemetry.Exposition.ExpositionSyntax;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// The line scanner behind <see cref="ExpositionParser"/>: bytes arrive in chunks into one pooled buffer, complete lines
/// are parsed in place (spans, no strings) and handed to an <see cref="IExpositionVisitor"/>. Memory is bounded by the
/// buffer (one chunk plus one line) whatever the body size. Not thread-safe; one instance per body.
/// </summary>
internal sealed partial class ExpositionScanner : IDisposable
{
    private const int MinBufferBytes = 64 * 1024;
    private const int ErrorExcerptBytes = 120;

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
}
