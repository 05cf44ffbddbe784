using System.Globalization;
using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Cli.Sol;

/// <summary>Parses "64", "1,8,64,256" and "1..256" (powers of two from A to B) into positive integers.</summary>
public static class IntListParser
{
    public static IReadOnlyList<int> Parse(string text, string what)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        var range = t.Split("..", StringSplitOptions.TrimEntries);
        if (range.Length == 2)
        {
            return ParetoFrontier.PowersOfTwo(One(range[0], what), One(range[1], what));
        }

        var values = t.Split(',', StringSplitOptions.TrimEntries).Select(p => One(p, what)).ToList();
        return values.Distinct().ToArray();
    }

    private static int One(string part, string what)
    {
        if (!int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var v))
        {
            throw new SolInputException($"{what} '{part}' is not an integer");
        }

        return v >= 1 ? v : throw new SolInputException($"{what} {v} must be >= 1");
    }
}
