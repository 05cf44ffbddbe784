using System.Text.Json;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Testing;

namespace SolProfiler.Analysis.Tests;

/// <summary>
/// The whole pipeline of one tick, with no host: reads go in, a snapshot comes out. The numbers are built so the
/// operating point can be worked out by hand: 16 sequences, 20 ms between tokens, KV 10 % of 200,000 tokens.
/// </summary>
public sealed class WindowAnalyzerTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 12, 0, 0, TimeSpan.Zero);
    private const double Batch = 16;
    private const double StepSeconds = 0.020;
    private const double KvUsage = 0.1;
    private const double KvCapacity = 200_000;

    private static WindowAnalyzer Create(out SolSetup sol)
    {
        var deployment = new DeploymentSettings { Model = "llama-3.1-8b", Gpu = "h100-sxm", Tp = 1, Weights = "bf16", Kv = "bf16" };
        sol = new SolSetup(deployment, GpuCatalog.BuiltIn);
        return new WindowAnalyzer(new AnalysisSettings { Window = TimeSpan.FromSeconds(30) }, sol, new ServerFacts(deployment, sol, Path.GetTempPath()));
    }

    /// <summary>vLLM's view after <paramref name="seconds"/>: every sequence made one token per step.</summary>
    private static ServingSample Scrape(int seconds)
    {
        var tokens = seconds * Batch / StepSeconds;
        return new ServingSample
        {
            Server = ServerKind.Vllm,
            Engine = "0",
            Model = "meta-llama/Llama-3.1-8B-Instruct",
            Timestamp = T0.AddSeconds(seconds),
            RunningRequests = Batch,
            GenerationTokensTotal = tokens,
            InterTokenLatency = new HistogramSnapshot(tokens * StepSeconds, tokens, []),
            KvCacheUsageRatio = KvUsage,
            KvCacheCapacityTokens = KvCapacity,
        };
    }

    /// <summary>One GPU at 600 W by its energy counter, which a driver reload sets back to zero at second 10.</summary>
    private static GpuSnapshot Read(int seconds) => new()
    {
        Backend = "nvml",
        Timestamp = T0.AddSeconds(seconds),
        Gpus =
        [
            new GpuSample
            {
                Index = 0,
                Timestamp = T0.AddSeconds(seconds),
                Name = "NVIDIA H100 80GB HBM3",
                EnergyJoules = seconds < 10 ? 1e6 + (600.0 * seconds) : 600.0 * (seconds - 10),
                DramActiveRatio = 0.5,
            },
        ],
    };

    private static SourceStatus Up(string source) =>
        new(source, source == "gpu" ? "nvml" : "vllm", null, Up: true, T0, null, null, 0, new Dictionary<string, long>());

    [Fact]
    public void Reads_in_give_the_operating_point_the_sol_there_and_a_warning_for_a_reset_counter()
    {
        var analyzer = Create(out var sol);
        for (var s = 0; s <= 30; s++)
        {
            analyzer.Add([Scrape(s)]);
            analyzer.Add(Read(s));
        }

        var snapshot = analyzer.Analyze(T0.AddSeconds(30), Up("serving"), Up("gpu"));

        Assert.True(snapshot.Valid, snapshot.InvalidReason);
        var point = snapshot.OperatingPoint!;
        Assert.Equal(Batch, point.Batch!.Value, 9);
        Assert.Equal(KvUsage * KvCapacity / Batch, point.ContextTokens!.Value, 6); // 1,250 tokens per sequence
        var gap = snapshot.Gap!;
        Assert.Equal(StepSeconds, gap.MeasuredStepSeconds, 9);
        var expectedSol = sol.Prepared!.Evaluate(16, 1250).SecondsPerOutputToken;
        Assert.Equal(expectedSol, gap.SolStepSeconds, 12);
        Assert.Equal(expectedSol / StepSeconds, gap.Efficiency, 9);
        Assert.InRange(gap.Efficiency, 0.01, 1); // a bound: the measured step is never faster
        Assert.Contains(snapshot.Warnings, w => w.StartsWith("GPU 0: its energy counter went backwards", StringComparison.Ordinal));
        Assert.Equal("llama-3.1-8b", snapshot.Configuration.Model);
        Assert.Equal(2, snapshot.Sources.Count);
        Assert.NotEmpty(snapshot.Frontier);
    }

    [Fact]
    public void Two_scrapes_a_second_apart_give_the_first_number_over_the_second_they_span()
    {
        var analyzer = Create(out var sol);
        analyzer.Add([Scrape(0)]);
        analyzer.Add(Read(0));
        analyzer.Add([Scrape(1)]);
        analyzer.Add(Read(1));

        var snapshot = analyzer.Analyze(T0.AddSeconds(1), Up("serving"), Up("gpu"));

        // Valid after two scrapes, not after the 30 s window has filled; the snapshot says it spans one second of it.
        Assert.True(snapshot.Valid, snapshot.InvalidReason);
        Assert.Equal(30, snapshot.WindowSeconds);
        Assert.Equal(1, snapshot.SpanSeconds, 9);
        Assert.Equal(T0, snapshot.OperatingPoint!.WindowStart);
        Assert.Equal(T0.AddSeconds(1), snapshot.OperatingPoint.WindowEnd);
        Assert.Equal(StepSeconds, snapshot.Gap!.MeasuredStepSeconds, 9);
        Assert.Equal(sol.Prepared!.Evaluate(16, 1250).SecondsPerOutputToken / StepSeconds, snapshot.Gap.Efficiency, 9);
    }

    [Fact]
    public void The_snapshot_json_is_its_golden_file()
    {
        // The contract of /api/v1/snapshot and of every recording line, from inputs fixed to the byte.
        var analyzer = Create(out _);
        for (var s = 0; s <= 30; s++)
        {
            analyzer.Add([Scrape(s)]);
            analyzer.Add(Read(s));
        }

        var snapshot = analyzer.Analyze(T0.AddSeconds(30), Up("serving"), Up("gpu"));

        var written = JsonSerializer.Serialize(snapshot, AgentJson.SnapshotIndented);
        Golden.Verify("snapshot-llama-3.1-8b-h100.json", written);

        // The recording's reader (solprof report) reads it back by the same type, to the same text.
        Assert.Equal(written, JsonSerializer.Serialize(AgentJson.ReadSnapshot(written), AgentJson.SnapshotIndented));
    }

    [Fact]
    public void Without_a_serving_source_or_with_it_down_the_window_is_invalid_and_says_why()
    {
        var analyzer = Create(out _);
        analyzer.Add([Scrape(0)]);
        analyzer.Add([Scrape(1)]);

        Assert.StartsWith("no serving source configured", analyzer.Analyze(T0.AddSeconds(1), null, null).InvalidReason, StringComparison.Ordinal);
        var down = Up("serving") with { Up = false, LastError = "connection refused" };
        Assert.Equal("serving source down: connection refused", analyzer.Analyze(T0.AddSeconds(1), down, null).InvalidReason);
        var neverRead = Up("serving") with { LastSuccess = null, Url = "http://127.0.0.1:8000/metrics" };
        Assert.Equal("waiting for the first scrape of http://127.0.0.1:8000/metrics", analyzer.Analyze(T0.AddSeconds(1), neverRead, null).InvalidReason);
    }

    [Fact]
    public void A_gpu_source_that_is_down_shows_no_stale_gpus_and_says_so()
    {
        var analyzer = Create(out _);
        analyzer.Add(Read(0));
        Assert.Single(analyzer.Analyze(T0, Up("serving"), Up("gpu")).Gpus);

        var down = Up("gpu") with { Up = false, LastError = "NVML_ERROR_GPU_IS_LOST" };
        var snapshot = analyzer.Analyze(T0.AddSeconds(1), Up("serving"), down);

        Assert.Empty(snapshot.Gpus);
        Assert.Contains("GPU source down: NVML_ERROR_GPU_IS_LOST", snapshot.Warnings);
    }
}
