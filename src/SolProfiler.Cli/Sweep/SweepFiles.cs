using System.Globalization;
using System.Text;
using System.Text.Json;
using SolProfiler.Cli.Sol;

namespace SolProfiler.Cli.Sweep;

/// <summary>Writes a sweep as JSON (the contract) and as CSV (one row per level) next to it.</summary>
public static class SweepFiles
{
    public static string CsvPathFor(string jsonPath) => Path.ChangeExtension(jsonPath, ".csv");

    public static void Write(string jsonPath, SweepResult result)
    {
        ArgumentNullException.ThrowIfNull(jsonPath);
        ArgumentNullException.ThrowIfNull(result);
        File.WriteAllText(jsonPath, JsonSerializer.Serialize(result, SolJsonWriter.Options) + "\n");
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
