using System.Text.Json;
using System.Text.Json.Nodes;
using SolProfiler.Cli.Report;
using SolProfiler.Sol;

namespace SolProfiler.Cli.Sol.Compare;

/// <summary>One level of a sweep as <c>--compare</c> needs it: where it ran and what it measured (nulls when empty).</summary>
public sealed record MeasuredLevel(
    int Concurrency,
    int Completed,
    int Errors,
    double? Batch,
    double? ContextTokens,
    double? TokensPerSecondPerUser,
    double? TokensPerSecondPerGpu,
    double? MeasuredStepSeconds);

/// <summary>The deployment a sweep ran against (its <c>configuration</c>) and the prompt/output lengths it used.</summary>
public sealed record SweepInput(
    string Path,
    string Model,
    string Gpu,
    string? GpuFile,
    int Tp,
    int Pp,
    int Ep,
    int AttentionDp,
    string? Weights,
    string? ExpertWeights,
    string? Kv,
    string? Activations,
    string? Dispatch,
    int InputTokens,
    int OutputTokens,
    IReadOnlyList<MeasuredLevel> Levels)
{
    /// <summary>The context the sweep used for its own frontier: the prompt plus half the output.</summary>
    public double ClientContextTokens => InputTokens + (OutputTokens / 2.0);

    /// <summary>Reads a <c>solprof sweep</c> result; anything else is a one-line error naming the file and what it is.</summary>
    public static SweepInput Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        const string expected = "--compare takes a sweep result written by `solprof sweep -o FILE`";
        var text = Common.InputFiles.ReadText(path, "--compare");
        var sweep = TryParse(text) as JsonObject;
        var kind = JsonFields.Str(sweep, "kind");
        if (kind != ReportInputReader.SweepKind)
        {
            var first = TryParse(text.Split('\n', 2)[0]) as JsonObject;
            var what = IsSnapshot(sweep ?? first) ? "is an agent recording (use `solprof report` for it)"
                : kind is not null ? $"is of kind '{kind}'"
                : sweep is not null ? "has no \"kind\""
                : "is not a JSON object";
            throw new SolInputException($"--compare: '{path}' {what}; {expected}");
        }

        var config = sweep!["configuration"] as JsonObject ?? throw new SolInputException($"--compare: '{path}' has no configuration object");
        string Required(string key) => JsonFields.Str(config, key) ?? throw new SolInputException($"--compare: '{path}' configuration.{key} is missing");
        int Whole(string key) => JsonFields.Int(config, key) ?? 1;
        var levels = (sweep["levels"] as JsonArray ?? []).OfType<JsonObject>().Select(Level).ToArray();
        return new SweepInput(
            path,
            Required("model"),
            Required("gpu"),
            JsonFields.Str(config, "gpuFile"),
            Whole("tp"),
            Whole("pp"),
            Whole("ep"),
            Whole("attentionDp"),
            JsonFields.Str(config, "weights"),
            JsonFields.Str(config, "expertWeights"),
            JsonFields.Str(config, "kv"),
            JsonFields.Str(config, "activations"),
            JsonFields.Str(config, "dispatch"),
            JsonFields.Int(sweep, "settings.inputTokens") ?? throw new SolInputException($"--compare: '{path}' settings.inputTokens is missing"),
            JsonFields.Int(sweep, "settings.outputTokens") ?? throw new SolInputException($"--compare: '{path}' settings.outputTokens is missing"),
            levels);
    }

    private static bool IsSnapshot(JsonObject? o) => o?["configuration"] is JsonObject && (o.ContainsKey("operatingPoint") || o.ContainsKey("gap"));

    private static JsonNode? TryParse(string text)
    {
        try
        {
            return JsonNode.Parse(text);
        }
        catch (JsonException)
        {
            return null;
        }
    }

    private static MeasuredLevel Level(JsonObject level) => new(
        JsonFields.Int(level, "concurrency") ?? 0,
        JsonFields.Int(level, "completed") ?? 0,
        JsonFields.Int(level, "errors") ?? 0,
        JsonFields.Num(level, "operatingPoint.batch"),
        JsonFields.Num(level, "operatingPoint.contextTokens"),
        JsonFields.Num(level, "tokensPerSecondPerUser"),
        JsonFields.Num(level, "outputTokensPerSecondPerGpu"),
        // the step the sweep's efficiency used: the server's ITL mean when it had one, else the clients'
        JsonFields.Num(level, "serverStepSeconds") ?? JsonFields.Num(level, "itlSeconds.mean"));
}
