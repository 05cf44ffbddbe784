using System.CommandLine;
using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Cli.Options;

/// <summary>
/// <c>--server</c>, the inference server's kind, one closed choice for <c>scrape</c> and <c>agent</c>: a kind's name, or
/// <c>auto</c> (detect it from the metric names, the default). A name it does not know is a parse error naming the flag.
/// </summary>
public static class ServerKindOption
{
    public const string Auto = "auto";

    /// <summary>The option; its value is the kind forced, null for <c>auto</c> or not given.</summary>
    public static Option<ServerKind?> Create() => new("--server")
    {
        Description = $"Server kind: {Auto} (detect it from the metric names; default) or one of {string.Join(", ", ServerKinds.KnownNames)}",
        HelpName = "KIND",
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : string.Empty;
            if (string.Equals(text.Trim(), Auto, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            if (ServerKinds.TryParse(text, out var kind) && kind != ServerKind.Unknown)
            {
                return kind;
            }

            result.AddError($"--server '{text}' is not a server kind; known: {Auto}, {string.Join(", ", ServerKinds.KnownNames)}");
            return null;
        },
    };

    /// <summary>The agent's configuration value for it (<c>serving:kind</c>), when the flag was given.</summary>
    public static string? ConfigurationValue(ParseResult parse, Option<ServerKind?> option)
    {
        ArgumentNullException.ThrowIfNull(parse);
        return parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) is { } kind ? ServerKinds.Name(kind) : Auto : null;
    }
}
