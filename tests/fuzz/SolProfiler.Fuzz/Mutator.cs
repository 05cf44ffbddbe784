using System.Text;

namespace SolProfiler.Fuzz;

/// <summary>
/// Makes pseudo-random parser inputs by mutating seed inputs: bit flips, byte changes, insertions of the characters
/// and tokens the two grammars care about (<c>\0 \r \n { } " \ # = , :</c>, <c>data:</c>, <c># EOF</c>), huge and
/// special numbers (NaN, Inf, 1e309, 2^64), truncations, deletions, duplicated ranges, splices of two seeds, CRLF
/// swaps, very long lines, many repeated lines and trailing blank lines. Deterministic: the same seed gives the same
/// inputs on every machine (<see cref="Random(int)"/> with a seed uses a fixed algorithm), so a failure is replayed
/// from its seed and index. Shared by the SharpFuzz harness (<c>--smoke</c>) and the xUnit random-input tests
/// (linked, not copied).
/// </summary>
internal sealed class Mutator
{
    /// <summary>The default cap on an input: room for lines past the exposition parser's 64 KiB line limit.</summary>
    public const int MaxInputBytes = 192 * 1024;

    private static readonly byte[][] s_tokens = BuildTokens();
    private static readonly byte[] s_special = "\0\r\n{}\"\\#=,: \t"u8.ToArray();
    private static readonly byte[] s_runBytes = "a_:x0 \t{\"\\,=#\r"u8.ToArray();

    private readonly Random _random;
    private readonly int _maxBytes;

    /// <param name="seed">Fixes every choice.</param>
    /// <param name="maxInputBytes">Inputs (long runs, repeated lines) are cut to this size, so a bounded run stays fast.</param>
    public Mutator(int seed, int maxInputBytes = MaxInputBytes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxInputBytes, 1);
        _random = new Random(seed);
        _maxBytes = maxInputBytes;
    }

    /// <summary>A generator for input <paramref name="index"/> of a run with <paramref name="seed"/>, independent of the inputs before it.</summary>
    public static Mutator ForInput(int seed, int index, int maxInputBytes = MaxInputBytes) =>
        new(unchecked((seed * 1_000_003) + index), maxInputBytes);

    /// <summary>One input: a seed from <paramref name="corpus"/> (sometimes spliced with another) with 1 to 6 mutations.</summary>
    public byte[] Next(IReadOnlyList<byte[]> corpus)
    {
        ArgumentNullException.ThrowIfNull(corpus);
        var data = corpus.Count == 0 ? [] : new List<byte>(corpus[_random.Next(corpus.Count)]);
        if (corpus.Count > 1 && _random.Next(8) == 0)
        {
            Splice(data, corpus[_random.Next(corpus.Count)]);
        }

        var rounds = 1 + _random.Next(6);
        for (var i = 0; i < rounds; i++)
        {
            MutateOnce(data);
        }

        if (data.Count > _maxBytes)
        {
            data.RemoveRange(_maxBytes, data.Count - _maxBytes);
        }

        return [.. data];
    }

    private void MutateOnce(List<byte> data)
    {
        switch (_random.Next(17))
        {
            case 0 when data.Count > 0:
                data[_random.Next(data.Count)] ^= (byte)(1 << _random.Next(8));
                break;
            case 1 when data.Count > 0:
                data[_random.Next(data.Count)] = (byte)_random.Next(256);
                break;
            case 2:
            case 3:
            case 4:
                data.InsertRange(_random.Next(data.Count + 1), s_tokens[_random.Next(s_tokens.Length)]);
                break;
            case 5 when data.Count > 0:
                Truncate(data);
                break;
            case 6 when data.Count > 1:
                {
                    var start = _random.Next(data.Count);
                    var count = Math.Min(data.Count - start, 1 + _random.Next(64));
                    data.RemoveRange(start, count);
                    break;
                }

            case 7 when data.Count > 1:
                {
                    var start = _random.Next(data.Count);
                    var count = Math.Min(data.Count - start, 1 + _random.Next(256));
                    var copy = data.GetRange(start, count);
                    data.InsertRange(_random.Next(data.Count + 1), copy);
                    break;
                }

            case 8:
                ReplaceNumber(data);
                break;
            case 9:
                LongRun(data);
                break;
            case 10:
                RepeatLine(data);
                break;
            case 11:
                SwapLineEndings(data);
                break;
            case 12 when data.Count > 0:
                {
                    // A special byte at a line start or end, where the grammars branch.
                    var at = LineBoundary(data);
                    data.Insert(at, s_special[_random.Next(s_special.Length)]);
                    break;
                }

            case 13 when data.Count > 0:
                data[_random.Next(data.Count)] = (byte)(0x80 + _random.Next(0x80)); // stray UTF-8 continuation or lead byte
                break;
            case 14:
                TrailingBlanks(data);
                break;
            default:
                data.InsertRange(_random.Next(data.Count + 1), s_tokens[_random.Next(s_tokens.Length)]);
                break;
        }
    }

    private void Truncate(List<byte> data)
    {
        var keep = _random.Next(data.Count);
        data.RemoveRange(keep, data.Count - keep);
    }

    private void Splice(List<byte> data, byte[] other)
    {
        var cut = _random.Next(data.Count + 1);
        var from = _random.Next(other.Length + 1);
        data.RemoveRange(cut, data.Count - cut);
        data.AddRange(other.AsSpan(from).ToArray());
    }

    /// <summary>Replaces a run of digits (a value, a timestamp, a token count) with a huge or special number.</summary>
    private void ReplaceNumber(List<byte> data)
    {
        string[] numbers =
        [
            "NaN", "nan", "+Inf", "-Inf", "Inf", "inf", "+Infinity", "-infinity", "1e308", "1e309", "-1e309", "4.9e-324",
            "1e-400", "18446744073709551616", "9223372036854775808", "2147483647", "2147483648", "-2147483649",
            "999999999999999999999999999999", "0.0000000000000000000000001", "-0", "+0", "00000000000000000000001", "1_000",
            "0x10", "1e", ".", "-", "+", "1.2.3", "1e+", "١", "0.1234567890123456789", "123456789012345678.5",
            "1" + new string('0', 400),
        ];
        var replacement = Encoding.UTF8.GetBytes(numbers[_random.Next(numbers.Length)]);
        var start = -1;
        if (data.Count > 0)
        {
            var probe = _random.Next(data.Count);
            for (var i = 0; i < data.Count && start < 0; i++)
            {
                var j = (probe + i) % data.Count;
                if (data[j] is >= (byte)'0' and <= (byte)'9')
                {
                    start = j;
                }
            }
        }

        if (start < 0)
        {
            data.InsertRange(_random.Next(data.Count + 1), replacement);
            return;
        }

        while (start > 0 && data[start - 1] is >= (byte)'0' and <= (byte)'9' or (byte)'.')
        {
            start--;
        }

        var end = start;
        while (end < data.Count && data[end] is >= (byte)'0' and <= (byte)'9' or (byte)'.' or (byte)'e' or (byte)'-' or (byte)'+')
        {
            end++;
        }

        data.RemoveRange(start, end - start);
        data.InsertRange(start, replacement);
    }

    /// <summary>A very long run of one byte or token: a long line, a long name or label value, a long data: field.</summary>
    private void LongRun(List<byte> data)
    {
        var length = _random.Next(4) switch
        {
            0 => 1 + _random.Next(300),
            1 => 1000 + _random.Next(9000),
            2 => 60_000 + _random.Next(10_000), // around the 64 KiB line limit of the exposition parser
            _ => 100_000 + _random.Next(60_000),
        };
        byte[] unit = _random.Next(3) switch
        {
            0 => [s_runBytes[_random.Next(s_runBytes.Length)]],
            1 => s_tokens[_random.Next(s_tokens.Length)],
            _ => [(byte)_random.Next(256)],
        };
        if (unit.Length == 0)
        {
            return;
        }

        var run = new byte[Math.Min(length, _maxBytes)];
        for (var i = 0; i < run.Length; i++)
        {
            run[i] = unit[i % unit.Length];
        }

        data.InsertRange(_random.Next(data.Count + 1), run);
    }

    /// <summary>Repeats one line many times (series and line caps, duplicate series, many events).</summary>
    private void RepeatLine(List<byte> data)
    {
        if (data.Count == 0)
        {
            return;
        }

        var at = _random.Next(data.Count);
        var start = at;
        while (start > 0 && data[start - 1] != (byte)'\n')
        {
            start--;
        }

        var end = at;
        while (end < data.Count && data[end] != (byte)'\n')
        {
            end++;
        }

        var line = data.GetRange(start, end - start);
        line.Add((byte)'\n');
        var times = _random.Next(2) == 0 ? 2 + _random.Next(20) : 100 + _random.Next(3000);
        times = Math.Min(times, (_maxBytes / line.Count) + 1);
        var block = new List<byte>(line.Count * times);
        for (var i = 0; i < times; i++)
        {
            block.AddRange(line);
        }

        data.InsertRange(start, block);
    }

    /// <summary>Blank lines and blanks at the end: the exposition parser guesses the format from a body's last bytes.</summary>
    private void TrailingBlanks(List<byte> data)
    {
        var count = _random.Next(3) switch
        {
            0 => 1 + _random.Next(8),
            1 => 60 + _random.Next(200),
            _ => 240 + _random.Next(40), // around the 256-byte tail window
        };
        for (var i = 0; i < count; i++)
        {
            data.Add((byte)"\n\n\n\r \t"[_random.Next(6)]);
        }
    }

    private void SwapLineEndings(List<byte> data)
    {
        var toCrlf = _random.Next(2) == 0;
        var copy = new List<byte>(data.Count + (data.Count / 8));
        for (var i = 0; i < data.Count; i++)
        {
            var b = data[i];
            if (toCrlf && b == (byte)'\n' && (i == 0 || data[i - 1] != (byte)'\r'))
            {
                copy.Add((byte)'\r');
            }
            else if (!toCrlf && b == (byte)'\r' && i + 1 < data.Count && data[i + 1] == (byte)'\n')
            {
                continue;
            }

            copy.Add(b);
        }

        data.Clear();
        data.AddRange(copy);
    }

    private int LineBoundary(List<byte> data)
    {
        var at = _random.Next(data.Count);
        var forward = _random.Next(2) == 0;
        while (at > 0 && at < data.Count && data[at - 1] != (byte)'\n')
        {
            at += forward ? 1 : -1;
        }

        return Math.Clamp(at, 0, data.Count);
    }

    private static byte[][] BuildTokens()
    {
        string[] text =
        [
            "\0", "\r", "\n", "\r\n", "\n\n", "\r\n\r\n", "\r\r", "{", "}", "{}", "\"", "\\", "\\\\", "\\\"", "\\n", "#", "=", ",",
            ":", " ", "\t", "# EOF", "# EOF\n", "#EOF", "# TYPE ", "# HELP ", "# UNIT ", " counter", " gauge", " histogram",
            " summary", " stateset", " info", " gaugehistogram", " unknown", "_total", "_bucket", "_sum", "_count", "_created",
            "le=\"+Inf\"", "le=\"0.5\"", "{le=\"+Inf\"}", "quantile=\"0.99\"", "{\"utf8.name\"}", "{\"a\"=\"b\"}", "{a=\"1\",a=\"2\"}",
            " # {trace_id=\"x\"} 1 2", " 1700000000000", " 1.7e9", "NaN", "+Inf", "-Inf", "1e309", "18446744073709551616",
            "data:", "data: ", "data: [DONE]", "event:", "event: error", "id:", "id: \0", "retry: 10", ": keep-alive", "\uFEFF",
            "{\"choices\":[{\"text\":\"x\"}]}", "{\"choices\":[{\"delta\":{\"content\":\"y\"}}]}",
            "\"usage\":{\"completion_tokens\":2147483647}", "\"usage\":{\"completion_tokens\":1000000000,\"prompt_tokens\":-1}",
            "{\"error\":{\"message\":\"m\",\"code\":1}}", "{\"error\":\"e\"}", "\"finish_reason\":\"stop\"",
            "\"tool_calls\":[{}]", "[", "]", "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[",
            "{\"error\":{\"error\":{\"error\":{\"error\":{\"error\":{\"error\":\"deep\"}}}}}}",
            "\\u0000", "\\ud800", "\u00e9", "\U0001F600", "\u2028",
        ];
        var tokens = new List<byte[]>(text.Length + 4);
        foreach (var t in text)
        {
            tokens.Add(Encoding.UTF8.GetBytes(t));
        }

        tokens.Add([0xC3, 0x28]); // invalid 2-byte sequence
        tokens.Add([0xED, 0xA0, 0x80]); // UTF-8-encoded surrogate (invalid)
        tokens.Add([0xF0, 0x9F, 0x98]); // truncated 4-byte sequence
        tokens.Add([0xFF, 0xFE]);
        return [.. tokens];
    }
}
