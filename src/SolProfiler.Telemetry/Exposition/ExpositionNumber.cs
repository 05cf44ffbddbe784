using System.Globalization;

namespace SolProfiler.Telemetry.Exposition;

/// <summary>
/// Numbers as written in expositions: plain decimals (fast, exact path), exponents, and the case-insensitive
/// specials <c>NaN</c>, <c>[+-]Inf</c>, <c>[+-]Infinity</c>. Invariant culture; never throws.
/// </summary>
internal static class ExpositionNumber
{
    private static readonly double[] s_pow10 =
    [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11,
        1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22,
    ];

    public static bool TryParse(ReadOnlySpan<byte> text, out double value)
    {
        value = 0;
        if (text.IsEmpty)
        {
            return false;
        }

        var i = 0;
        var negative = false;
        if (text[0] == (byte)'-')
        {
            negative = true;
            i = 1;
        }
        else if (text[0] == (byte)'+')
        {
            i = 1;
        }

        if (i == text.Length)
        {
            return false;
        }

        var c = text[i];
        if (c is (>= (byte)'0' and <= (byte)'9') or (byte)'.')
        {
            // Clinger's fast path: at most 15 significant digits and a power of ten that is exact as a double, so one
            // correctly rounded division gives the correctly rounded result.
            ulong mantissa = 0;
            var significant = 0;
            var fractionDigits = 0;
            var anyDigit = false;
            var sawDot = false;
            var j = i;
            for (; j < text.Length; j++)
            {
                var d = (uint)(text[j] - '0');
                if (d <= 9)
                {
                    anyDigit = true;
                    if (mantissa != 0 || d != 0)
                    {
                        significant++;
                    }

                    mantissa = (mantissa * 10) + d;
                    if (sawDot)
                    {
                        fractionDigits++;
                    }

                    if (significant > 15 || fractionDigits > 22)
                    {
                        break;
                    }
                }
                else if (text[j] == (byte)'.' && !sawDot)
                {
                    sawDot = true;
                }
                else
                {
                    break;
                }
            }

            if (j == text.Length && anyDigit && significant <= 15 && fractionDigits <= 22)
            {
                var v = fractionDigits == 0 ? mantissa : mantissa / s_pow10[fractionDigits];
                value = negative ? -v : v;
                return true;
            }

            return double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out value);
        }

        var rest = text[i..];
        if (EqualsIgnoreCase(rest, "inf"u8) || EqualsIgnoreCase(rest, "infinity"u8))
        {
            value = negative ? double.NegativeInfinity : double.PositiveInfinity;
            return true;
        }

        if (i == 0 && EqualsIgnoreCase(rest, "nan"u8))
        {
            value = double.NaN;
            return true;
        }

        return false;
    }

    public static bool TryParse(string text, out double value)
    {
        value = 0;
        if (text.Length is 0 or > 64)
        {
            return false;
        }

        Span<byte> utf8 = stackalloc byte[64 * 3];
        var n = System.Text.Encoding.UTF8.GetBytes(text, utf8);
        return TryParse(utf8[..n], out value);
    }

    /// <summary>ASCII case-insensitive comparison against a lower-case literal.</summary>
    private static bool EqualsIgnoreCase(ReadOnlySpan<byte> text, ReadOnlySpan<byte> lower)
    {
        if (text.Length != lower.Length)
        {
            return false;
        }

        for (var k = 0; k < text.Length; k++)
        {
            if ((text[k] | 0x20) != lower[k])
            {
                return false;
            }
        }

        return true;
    }
}
