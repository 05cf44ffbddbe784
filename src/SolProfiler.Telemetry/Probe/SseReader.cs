using System.Buffers;
using System.Text;

namespace SolProfiler.Telemetry.Probe;

/// <summary>One Server-Sent Event: its type (<c>message</c> unless an <c>event:</c> line said otherwise) and its data lines joined with <c>\n</c>.</summary>
public sealed record SseEvent(string EventType, string Data, string? Id)
{
    public const string DefaultType = "message";
}

/// <summary>Bounds on one SSE stream; a line or event over them is a <see cref="SseFormatException"/>.</summary>
public sealed record SseLimits
{
    public static SseLimits Default { get; } = new();

    /// <summary>Longest line accepted, in bytes without its terminator (default 1 MiB).</summary>
    public int MaxLineBytes { get; init; } = 1024 * 1024;

    /// <summary>Most data bytes accepted in one event, summed over its <c>data:</c> lines (default 8 MiB).</summary>
    public int MaxEventBytes { get; init; } = 8 * 1024 * 1024;
}

/// <summary>The stream broke the SSE limits (a line or an event too long).</summary>
public sealed class SseFormatException : Exception
{
    public SseFormatException(string message) : base(message) { }

    public SseFormatException() { }

    public SseFormatException(string message, Exception inner) : base(message, inner) { }
}

/// <summary>
/// Reads Server-Sent Events (text/event-stream) from a byte stream, as the WHATWG rules say: UTF-8, lines end with
/// <c>\n</c> or <c>\r\n</c>, lines starting with <c>:</c> are comments (keep-alives), <c>data:</c> lines accumulate and
/// are joined with <c>\n</c>, a blank line ends the event. Lines are assembled from bytes before decoding, so a read
/// may end anywhere (inside a line, between <c>\r</c> and <c>\n</c>, inside a multi-byte character).
/// Not thread-safe; does not own the stream.
/// </summary>
public sealed class SseReader
{
    private static readonly UTF8Encoding Utf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: false);

    private readonly Stream _stream;
    private readonly SseLimits _limits;
    private readonly byte[] _buffer;
    private readonly ArrayBufferWriter<byte> _pending = new();
    private int _position;
    private int _length;
    private bool _firstLine = true;
    private bool _endOfStream;
    private int _lastLineBytes;

    public SseReader(Stream stream, SseLimits? limits = null, int bufferSize = 16 * 1024)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentOutOfRangeException.ThrowIfLessThan(bufferSize, 1);
        _stream = stream;
        _limits = limits ?? SseLimits.Default;
        _buffer = new byte[bufferSize];
    }

    /// <summary>Comment lines seen so far (servers send them as keep-alives).</summary>
    public int CommentLines { get; private set; }

    /// <summary>True when the stream ended in the middle of a line (those bytes were dropped).</summary>
    public bool EndedInsideLine { get; private set; }

    /// <summary>
    /// The next event, or null at the end of the stream. An event whose lines were all complete when the stream ended
    /// is still returned (lenient: some servers close right after the last <c>data:</c> line); a partial last line is dropped.
    /// </summary>
    public async ValueTask<SseEvent?> ReadEventAsync(CancellationToken cancellationToken = default)
    {
        StringBuilder? data = null;
        var dataBytes = 0;
        string? eventType = null;
        string? id = null;
        while (true)
        {
            var line = await ReadLineAsync(cancellationToken).ConfigureAwait(false);
            if (line is null || line.Length == 0)
            {
                if (data is { Length: > 0 })
                {
                    data.Length--; // the spec appends \n after every data line and drops the last one
                    if (data.Length > 0)
                    {
                        return new SseEvent(string.IsNullOrEmpty(eventType) ? SseEvent.DefaultType : eventType, data.ToString(), id);
                    }
                }

                if (line is null)
                {
                    return null;
                }

                data?.Clear();
                dataBytes = 0;
                eventType = null;
                continue;
            }

            if (line[0] == ':')
            {
                CommentLines++;
                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            string field;
            string value;
            if (colon < 0)
            {
                field = line;
                value = "";
            }
            else
            {
                field = line[..colon];
                var start = colon + 1 < line.Length && line[colon + 1] == ' ' ? colon + 2 : colon + 1;
                value = line[start..];
            }

            switch (field)
            {
                case "data":
                    dataBytes += _lastLineBytes;
                    if (dataBytes > _limits.MaxEventBytes)
                    {
                        throw new SseFormatException($"SSE event longer than {_limits.MaxEventBytes} bytes");
                    }

                    (data ??= new StringBuilder()).Append(value).Append('\n');
                    break;
                case "event":
                    eventType = value;
                    break;
                case "id":
                    if (!value.Contains('\0', StringComparison.Ordinal))
                    {
                        id = value;
                    }

                    break;
                default:
                    break; // "retry" and unknown fields are ignored
            }
        }
    }

    /// <summary>The next line without its terminator, or null at the end of the stream.</summary>
    private async ValueTask<string?> ReadLineAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            if (_position < _length)
            {
                var available = _buffer.AsSpan(_position, _length - _position);
                var newline = available.IndexOf((byte)'\n');
                if (newline >= 0)
                {
                    var part = available[..newline];
                    _position += newline + 1;
                    if (_pending.WrittenCount == 0)
                    {
                        return Decode(part);
                    }

                    CheckLineLength(_pending.WrittenCount + part.Length);
                    _pending.Write(part);
                    var line = Decode(_pending.WrittenSpan);
                    _pending.ResetWrittenCount();
                    return line;
                }

                CheckLineLength(_pending.WrittenCount + available.Length);
                _pending.Write(available);
                _position = _length = 0;
            }

            if (_endOfStream)
            {
                return null;
            }

            _position = 0;
            _length = await _stream.ReadAsync(_buffer.AsMemory(), cancellationToken).ConfigureAwait(false);
            if (_length == 0)
            {
                _endOfStream = true;
                if (_pending.WrittenCount > 0)
                {
                    EndedInsideLine = true;
                    _pending.ResetWrittenCount();
                }

                return null;
            }
        }
    }

    private void CheckLineLength(int bytes)
    {
        // A line may end with \r that is not counted, so allow one byte over until the terminator is seen.
        if (bytes > _limits.MaxLineBytes + 1)
        {
            throw new SseFormatException($"SSE line longer than {_limits.MaxLineBytes} bytes");
        }
    }

    private string Decode(ReadOnlySpan<byte> line)
    {
        if (line.Length > 0 && line[^1] == (byte)'\r')
        {
            line = line[..^1];
        }

        if (line.Length > _limits.MaxLineBytes)
        {
            throw new SseFormatException($"SSE line longer than {_limits.MaxLineBytes} bytes");
        }

        if (_firstLine)
        {
            _firstLine = false;
            if (line.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
            {
                line = line[3..];
            }
        }

        _lastLineBytes = line.Length;
        return Utf8.GetString(line);
    }
}
