using System.CommandLine.Parsing;
using System.Globalization;
using SolProfiler.Agent.Sources;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Cli.Options;

/// <summary>
/// Parsers for the closed choices and checked numbers of the shared options. Each error names the spelling the user
/// typed (an old one too) and the value, so System.CommandLine reports it as one line before anything runs.
/// </summary>
internal static class OptionParsers
{
    /// <summary>A whole number of at least 1 (a parallel degree).</summary>
    public static int? AtLeastOne(ArgumentResult result)
    {
        var text = Token(result);
        if (!int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value))
        {
            result.AddError($"{Typed(result)} '{text}' is not a whole number");
            return null;
        }

        if (value < 1)
        {
            result.AddError($"{Typed(result)} {value} must be >= 1");
            return null;
        }

        return value;
    }

    /// <summary>A precision by its catalog name, among those the role takes (<see cref="PrecisionRoles"/>).</summary>
    public static Func<ArgumentResult, Precision?> Precision(PrecisionRole role) => result =>
    {
        if (PrecisionRoles.TryParse(Token(result), role, out var precision, out var error))
        {
            return precision;
        }

        result.AddError($"{Typed(result)} {error}");
        return null;
    };

    public static GpuBackendKind? GpuBackend(ArgumentResult result)
    {
        var text = Token(result);
        if (GpuBackendNames.TryParse(text, out var kind))
        {
            return kind;
        }

        result.AddError($"{Typed(result)} '{text}' is not a GPU backend; expected {GpuBackendNames.Choices}");
        return null;
    }

    /// <summary>A duration as operators write it ("500ms", "2s", "10m"; a bare number is seconds).</summary>
    public static TimeSpan? Duration(ArgumentResult result)
    {
        try
        {
            return ProbeOptions.ParseDuration(Token(result));
        }
        catch (ProbeOptionsException e)
        {
            result.AddError($"{Typed(result)}: {e.Message}");
            return null;
        }
    }

    private static string Token(ArgumentResult result) => result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;

    /// <summary>The flag as the user typed it: the option's alias, or an old spelling's own name.</summary>
    private static string Typed(ArgumentResult result) =>
        (result.Parent as OptionResult)?.IdentifierToken?.Value ?? (result.Parent as OptionResult)?.Option.Name ?? "option";
}
