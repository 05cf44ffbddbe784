using System.Text.Json;
using SolProfiler.Cli.Report;
using SolProfiler.Cli.Sweep;
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

    /// <summary>Reads a <c>solprof sweep</c> result by its own type; anything else is a one-line error naming the file and what it is.</summary>
    public static SweepInput Read(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        const string expected = "--compare takes a sweep result written by `solprof sweep -o FILE`";
        var text = Common.InputFiles.ReadText(path, "--compare");
        var whole = ContractSniff.Object(text);
        var kind = ContractSniff.Kind(whole);
        if (kind != ContractSniff.SweepKind)
        {
            var first = ContractSniff.Object(text.Split('\n', 2)[0]);
            var what = ContractSniff.IsSnapshot(whole ?? first) ? "is an agent recording (use `solprof report` for it)"
                : kind is not null ? $"is of kind '{kind}'"
                : whole is not null ? "has no \"kind\""
                : "is not a JSON object";
            throw new SolInputException($"--compare: '{path}' {what}; {expected}");
        }

        SweepResult sweep;
        try
        {
            sweep = SweepFiles.Parse(text);
        }
        catch (JsonException e)
        {
            throw new SolInputException($"--compare: '{path}' does not read as a sweep result: {e.Message}", e);
        }

        var c = sweep.Configuration;
        string Required(string? value, string key) => value ?? throw new SolInputException($"--compare: '{path}' configuration.{key} is missing");
        return new SweepInput(
            path, Required(c.Model, "model"), Required(c.Gpu, "gpu"), c.GpuFile, c.Tp, c.Pp, c.Ep, c.AttentionDp, c.Weights, c.ExpertWeights, c.Kv, c.Activations, c.Dispatch,
            sweep.Settings.InputTokens, sweep.Settings.OutputTokens, sweep.Levels.Select(Level).ToArray());
    }

    private static MeasuredLevel Level(SweepLevelResult level) => new(
        level.Concurrency,
        level.Completed,
        level.Errors,
        level.OperatingPoint?.Batch,
        level.OperatingPoint?.ContextTokens,
        ReportValues.Finite(level.TokensPerSecondPerUser),
        ReportValues.Finite(level.OutputTokensPerSecondPerGpu),
        // the step the sweep's efficiency used: the server's ITL mean when it had one, else the clients'
        ReportValues.Finite(level.ServerStepSeconds) ?? ReportValues.Finite(level.ItlSeconds?.Mean));
}
