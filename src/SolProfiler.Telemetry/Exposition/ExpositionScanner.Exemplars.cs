using System.Globalization;
using static SolProfiler.Telemetry.Exposition.ExpositionSyntax;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// The OpenMetrics exemplar after a sample (<c># {labels} value [timestamp]</c>): checked for its shape and its
/// 128-character label limit, then left out of the sample.
/// </summary>
internal sealed partial class ExpositionScanner
{
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
            if ((NameClasses[line[pos]] & LabelStart) == 0)
            {
                return "invalid exemplar label name";
            }

            while (pos < line.Length && (NameClasses[line[pos]] & LabelChar) != 0)
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
}
