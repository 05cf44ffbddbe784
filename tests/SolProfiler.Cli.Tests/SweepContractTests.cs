using System.Text.Json;
using SolProfiler.Cli.Sweep;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Probe;
using SolProfiler.Testing;

namespace SolProfiler.Cli.Tests;

/// <summary>
/// The sweep result is a contract between <c>sweep</c>, <c>sol --compare</c> and <c>report</c>: its JSON and CSV are
/// golden files, and the JSON reads back, by the same type, into the same text.
/// </summary>
public sealed class SweepContractTests
{
    /// <summary>
    /// Two levels through the sweep's own analysis: concurrency 1 measured by the clients alone, concurrency 4 with the
    /// server's metrics and GPU power, one of its requests timed out. Every number is fixed, so the file is too.
    /// </summary>
    private static SweepResult Sweep()
    {
        var settings = new SweepSettings
        {
            Endpoint = new Uri("http://127.0.0.1:8000/v1"),
            ServedModel = "meta-llama/Llama-3.1-8B-Instruct",
            SolModel = "llama-3.1-8b",
            Gpu = "h100-sxm",
            Concurrency = [1, 4],
            Requests = 4,
            InputTokens = 512,
            OutputTokens = 64,
            OutputPath = "sweep.json",
        };
        var (model, _) = SweepModel.Resolve(settings);
        var sol = SolModel.Prepare(new SolConfiguration(model, GpuCatalog.BuiltIn.Get("h100-sxm"), new Parallelism(1, 1, 1, 1), settings.Precisions, null));
        var clientsOnly = LevelAnalysis.Analyse(1, Measured(requests: 4, failed: 0, gapSeconds: 0.0071), null, sol, settings);
        var withServer = LevelAnalysis.Analyse(
            4,
            Measured(requests: 8, failed: 1, gapSeconds: 0.0093),
            new LevelTelemetry(Batch: 3.8, ContextTokens: 540, StepSeconds: 0.0092, Replicas: 1, ServerTokensPerSecond: 410, PowerWatts: 520, Gpus: 1),
            sol,
            settings);
        var levels = new[] { clientsOnly, withServer };
        var start = new DateTimeOffset(2026, 12, 4, 3, 0, 0, TimeSpan.Zero);
        return new SweepResult(
            SweepResult.KindName, SweepFiles.Version, start, start.AddSeconds(42), settings.Endpoint.ToString(), settings.ServedModel,
            new SweepConfiguration("llama-3.1-8b", "h100-sxm", 1, 1, 1, 1, null, null, null, 1),
            new SweepSettingsRecord(settings.Concurrency, null, 4, 0, 512, 64, "http://127.0.0.1:8000/metrics", "nvml", SyntheticPrompt.TokenCounting, 0.5),
            false,
            null,
            levels,
            SweepRunner.Frontier(sol, settings, levels));
    }

    private static LevelMeasurement Measured(int requests, int failed, double gapSeconds)
    {
        var results = Enumerable.Range(0, requests).Select(i => i < failed
            ? new ProbeResult { Index = i, Failure = ProbeFailureKind.Timeout, FailureReason = "no token within 120 s", TotalSeconds = 120 }
            : new ProbeResult
            {
                Index = i,
                TtftSeconds = 0.040 + (0.002 * i),
                InterTokenGapsSeconds = Enumerable.Range(0, 63).Select(k => gapSeconds + (k % 3 * 0.0001)).ToArray(),
                TpotSeconds = gapSeconds + 0.0001,
                OutputTokens = 64,
                OutputTokenSource = TokenCountSource.Usage,
                TotalSeconds = 0.040 + (0.002 * i) + (63 * (gapSeconds + 0.0001)),
                EndToEndSeconds = 0.040 + (0.002 * i) + (63 * (gapSeconds + 0.0001)),
                GapsPerToken = true,
                PromptTokens = 512,
                FinishReason = "length",
            }).ToArray();
        return new LevelMeasurement(results, WallSeconds: 2.5);
    }

    [Fact]
    public void The_sweep_json_is_its_golden_file()
    {
        Golden.Verify("sweep-llama-3.1-8b-h100.json", JsonSerializer.Serialize(Sweep(), SweepFiles.Json));
    }

    [Fact]
    public void The_sweep_csv_is_its_golden_file()
    {
        Golden.Verify("sweep-llama-3.1-8b-h100.csv", SweepFiles.Csv(Sweep()));
    }

    [Fact]
    public void The_json_reads_back_by_its_type_into_the_same_text()
    {
        var written = JsonSerializer.Serialize(Sweep(), SweepFiles.Json);

        var read = SweepFiles.Parse(written);

        Assert.Equal(written, JsonSerializer.Serialize(read, SweepFiles.Json));
    }

    [Theory]
    [InlineData("{\"kind\":\"solprof-sweep\",\"version\":2}", "solprof-sweep version 2; this solprof reads solprof-sweep version 1")]
    [InlineData("{\"kind\":\"solprof-sweep\",\"version\":1}", "its configuration is missing")]
    [InlineData("{\"kind\":\"solprof-sweep\",\"version\":1,\"configuration\":null}", "configuration")]
    public void A_result_this_build_cannot_read_is_named_for_what_is_wrong(string json, string expected)
    {
        var e = Assert.Throws<JsonException>(() => SweepFiles.Parse(json));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }
}
