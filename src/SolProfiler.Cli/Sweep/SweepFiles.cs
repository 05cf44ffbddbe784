using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using SolProfiler.Cli.Common;

namespace SolProfiler.Cli.Sweep;

/// <summary>Writes a sweep as JSON (the contract) and as CSV (one row per level) next to it, and reads the JSON back.</summary>
public static class SweepFiles
{
    /// <summary>The contract's version this build writes and reads.</summary>
    public const int Version = 1;

    /// <summary>The sweep result under the CLI's JSON conventions; typed, source-generated.</summary>
    public static JsonTypeInfo<SweepResult> Json { get; } =
        (JsonTypeInfo<SweepResult>)new JsonSerializerOptions(CliJson.Options) { TypeInfoResolver = SweepJsonContext.Default }.GetTypeInfo(typeof(SweepResult));

    /// <summary>
    /// Reading: a member written null where the type does not take null is an error naming it; a member missing (a file
    /// from a build that did not write it yet) reads as its default, and the readers check the ones they need.
    /// </summary>
    private static JsonTypeInfo<SweepResult> Reading { get; } =
        (JsonTypeInfo<SweepResult>)new JsonSerializerOptions(CliJson.Options)
        {
            TypeInfoResolver = SweepJsonContext.Default,
            RespectNullableAnnotations = true,
        }.GetTypeInfo(typeof(SweepResult));

    /// <summary>
    /// A sweep result read back by the type that wrote it. Text that is not one (another version, a missing member)
    /// throws a <see cref="JsonException"/> whose message names the member.
    /// </summary>
    public static SweepResult Parse(string text)
    {
        var result = JsonSerializer.Deserialize(text, Reading) ?? throw new JsonException("the sweep result is null");
        if (result.Kind != SweepResult.KindName || result.Version != Version)
        {
            throw new JsonException($"it is {result.Kind} version {result.Version}; this solprof reads {SweepResult.KindName} version {Version}");
        }

        // The members every reader relies on; the rest may be missing in a file from an older build.
        foreach (var (name, value) in new (string, object?)[] { ("configuration", result.Configuration), ("settings", result.Settings), ("levels", result.Levels), ("frontier", result.Frontier) })
        {
            if (value is null)
            {
                throw new JsonException($"its {name} is missing");
            }
        }

        return result;
    }

    public static string CsvPathFor(string jsonPath) => Path.ChangeExtension(jsonPath, ".csv");

    public static void Write(string jsonPath, SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(jsonPath);
        ArgumentNullException.ThrowIfNull(result);
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(result, Json) + "\n");
        File.WriteAllText(CsvPathFor(jsonPath), Csv(result));
    }

    public static string Csv(SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(result);
        var sb = new StringBuilder();
        sb.AppendLine("concurrency,durationSeconds,requests,completed,errors,outputTokens,outputTokensPerSecond,outputTokensPerSecondPerGpu,tokensPerSecondPerUser,"
            + "ttftMean,ttftP50,ttftP90,ttftP99,tpotMean,tpotP50,tpotP90,tpotP99,itlMean,itlP50,itlP90,itlP99,"
            + "serverBatch,serverContextTokens,serverStepSeconds,replicas,powerWatts,joulesPerToken,batch,contextTokens,solSecondsPerOutputToken,solTokensPerSecondPerGpu,efficiency,paretoGapRatio");
        foreach (var l in result.Levels)
        {
            var cells = new List<string>
            {
                N(l.Concurrency), N(l.DurationSeconds), N(l.Requests), N(l.Completed), N(l.Errors), N(l.OutputTokens),
                N(l.OutputTokensPerSecond), N(l.OutputTokensPerSecondPerGpu), N(l.TokensPerSecondPerUser),
            };
            foreach (var s in new[] { l.TtftSeconds, l.TpotSeconds, l.ItlSeconds })
            {
                cells.AddRange([N(s?.Mean), N(s?.P50), N(s?.P90), N(s?.P99)]);
            }

            cells.AddRange([
                N(l.ServerBatch), N(l.ServerContextTokens), N(l.ServerStepSeconds), N(l.Replicas), N(l.PowerWatts), N(l.JoulesPerToken), N(l.OperatingPoint?.Batch), N(l.OperatingPoint?.ContextTokens),
                N(l.Sol?.SecondsPerOutputToken), N(l.Sol?.TokensPerSecondPerGpu), N(l.Efficiency), N(l.ParetoGapRatio),
            ]);
            sb.AppendLine(string.Join(',', cells));
        }

        return sb.ToString();
    }

    private static string N(double? v) => v is { } x ? x.ToString("R", CultureInfo.InvariantCulture) : "";

    private static string N(long? v) => v is { } x ? x.ToString(CultureInfo.InvariantCulture) : "";
}
