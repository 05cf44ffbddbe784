using System.Globalization;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// Quoted strings (label values, quoted metric and label names): a slice of the line when there is no escape,
/// else unescaped into the scratch buffer; an escape neither format allows is named in the error.
/// </summary>
internal sealed partial class ExpositionScanner
{
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

    /// <summary>Why <see cref="ReadQuoted"/> failed: an escape neither format allows, else <paramref name="unterminated"/>.</summary>
    private string QuotedError(string unterminated) => _invalidEscape is { } e
        ? string.Create(CultureInfo.InvariantCulture, $"invalid escape '\\{(char)e}' in a quoted string (only \\\\, \\\" and \\n are allowed)")
        : unterminated;
}
