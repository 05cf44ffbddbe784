namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// The byte-level grammar both exposition formats share, as <see cref="ExpositionScanner"/> reads it: which bytes may
/// start and continue metric and label names, the blanks between tokens, and where a token ends. Static, so the
/// scanner's per-byte loops stay direct calls the JIT inlines.
/// </summary>
internal static class ExpositionSyntax
{
    // Character classes for names (bytes >= 0x80 are accepted leniently as UTF-8 name characters).
    public const byte MetricStart = 1;
    public const byte MetricChar = 2;
    public const byte LabelStart = 4;
    public const byte LabelChar = 8;

    /// <summary>The class bits of every byte value (<see cref="MetricStart"/>, <see cref="MetricChar"/>, <see cref="LabelStart"/>, <see cref="LabelChar"/>).</summary>
    public static readonly byte[] NameClasses = BuildClasses();

    public static bool IsBlank(byte b) => b is (byte)' ' or (byte)'\t';

    public static void SkipBlanks(ReadOnlySpan<byte> line, ref int pos)
    {
        while (pos < line.Length && IsBlank(line[pos]))
        {
            pos++;
        }
    }

    public static int NextBlank(ReadOnlySpan<byte> line, int pos)
    {
        var index = line[pos..].IndexOfAny((byte)' ', (byte)'\t');
        return index < 0 ? line.Length : pos + index;
    }

    public static bool IsInteger(ReadOnlySpan<byte> token)
    {
        var digits = token.Length > 0 && (token[0] == (byte)'-' || token[0] == (byte)'+') ? token[1..] : token;
        return !digits.IsEmpty && digits.IndexOfAnyExceptInRange((byte)'0', (byte)'9') < 0;
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
