using SolProfiler.Analysis;
using SolProfiler.Analysis.Windows;
using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Analysis.Tests;

/// <summary>The window arithmetic of DESIGN section 4, against values worked out by hand.</summary>
public sealed class OperatingPointBuilderTests
{
    private static readonly DateTimeOffset T0 = DateTimeOffset.UnixEpoch;
    private const double Bandwidth = 3.35e12;

    private static ServingRates Engine(string id, double itl, double observations, double tokensPerSecond, double running, double? kvUsage = null, double? capacity = null) => new()
    {
        Server = ServerKind.Vllm,
        Engine = id,
        Samples = 31,
        Covered = TimeSpan.FromSeconds(30),
        MeanInterTokenLatencySeconds = itl,
        InterTokenObservations = observations,
        InterTokenLatencySource = "vllm:inter_token_latency_seconds",
        GenerationTokensPerSecond = tokensPerSecond,
        MeanRunningRequests = running,
        MeanKvCacheUsageRatio = kvUsage,
        KvCacheCapacityTokens = capacity,
        CounterResets = 0,
    };

    private static GpuRates Gpu(int index, double watts, double dram, double busy) => new()
    {
        Index = index,
        Reads = 30,
        PowerWatts = watts,
        DramActiveRatio = dram,
        GraphicsActiveRatio = busy,
        SmActiveRatio = busy - 0.1,
        NvlinkTxBytesPerSecond = 1e10 * (index + 1),
    };

    [Fact]
    public void One_engine_and_eight_gpus()
    {
        // ITL 10 ms over 1,000 tokens; 3,200 tokens/s; 32 running; KV 50 % of 100,000 tokens.
        var serving = new[] { Engine("0", 0.010, 1000, 3200, 32, 0.5, 100_000) };
        var gpus = Enumerable.Range(0, 8).Select(i => Gpu(i, 400, 0.5, 0.9)).ToArray();

        var m = OperatingPointBuilder.Build(T0, T0.AddSeconds(30), serving, gpus, gpusPerReplica: 8, Bandwidth, minTokenObservations: 20);

        Assert.True(m.Valid, m.InvalidReason);
        var p = m.Point;
        Assert.Equal(32, p.Batch);
        Assert.Equal(0.5 * 100_000 / 32, p.ContextTokens!.Value, 1e-9); // 1,562.5 tokens
        Assert.Equal("kv-cache-usage", p.ContextSource);
        Assert.Equal(0.010, p.MeasuredStepSeconds!.Value, 1e-15);
        Assert.Equal(100, p.TokensPerSecondPerUser!.Value, 1e-9);
        Assert.Equal(400, p.TokensPerSecondPerGpu!.Value, 1e-9);  // 3,200 / 8
        Assert.Equal(3200, p.PowerWatts!.Value, 1e-9);            // 8 x 400 W
        Assert.Equal(1.0, p.JoulesPerToken!.Value, 1e-12);        // 3,200 W / 3,200 tokens/s
        Assert.Equal(0.5 * Bandwidth, p.HbmBytesPerSecondPerGpu!.Value, 1);
        Assert.Equal(4.5e10, p.NvlinkBytesPerSecondPerGpu!.Value, 1); // mean of 1..8 x 1e10
        Assert.Equal(0.9, p.BusyRatio!.Value, 1e-12);
        Assert.Equal(1, p.Replicas);
    }

    [Fact]
    public void Two_engines_weight_the_step_by_tokens_and_average_the_batch()
    {
        // (8 ms x 3,000 + 12 ms x 1,000) / 4,000 = 9 ms; batch (30 + 10) / 2 = 20; 2 replicas x TP 4 = 8 GPUs.
        var serving = new[] { Engine("0", 0.008, 3000, 3000, 30, 0.3, 200_000), Engine("1", 0.012, 1000, 1000, 10, 0.1, 200_000) };

        var m = OperatingPointBuilder.Build(T0, T0.AddSeconds(30), serving, [], gpusPerReplica: 4, Bandwidth, 20);

        Assert.True(m.Valid, m.InvalidReason);
        Assert.Equal(0.009, m.Point.MeasuredStepSeconds!.Value, 1e-15);
        Assert.Equal(20, m.Point.Batch);
        Assert.Equal(500, m.Point.TokensPerSecondPerGpu!.Value, 1e-9); // 4,000 / 8
        Assert.Equal((2000.0 + 2000.0) / 2, m.Point.ContextTokens!.Value, 1e-9); // 0.3x200k/30 and 0.1x200k/10
        Assert.Null(m.Point.PowerWatts);
        Assert.Equal(2, m.Point.Replicas);
    }

    [Fact]
    public void Without_kv_capacity_the_context_comes_from_token_and_request_counters()
    {
        // 2 requests/s with 2,048 prompt and 1,000 generated tokens/s: prompt 1,024 + half of 500 output = 1,274.
        var engine = Engine("0", 0.01, 500, 1000, 16) with { PromptTokensPerSecond = 2048, RequestsFinishedPerSecond = 2 };

        var m = OperatingPointBuilder.Build(T0, T0.AddSeconds(30), [engine], [], 8, Bandwidth, 20);

        Assert.Equal(1274, m.Point.ContextTokens!.Value, 1e-9);
        Assert.Equal("token-counters", m.Point.ContextSource);
    }

    [Fact]
    public void No_decode_traffic_is_no_measurement_with_the_reason()
    {
        var idle = Engine("0", 0.01, 0, 0, 0) with { MeanInterTokenLatencySeconds = null, InterTokenObservations = null };

        var m = OperatingPointBuilder.Build(T0, T0.AddSeconds(30), [idle], [], 8, Bandwidth, 20);

        Assert.False(m.Valid);
        Assert.Contains("no decode traffic", m.InvalidReason, StringComparison.Ordinal);
    }

    [Fact]
    public void Too_few_token_observations_are_not_trusted()
    {
        var m = OperatingPointBuilder.Build(T0, T0.AddSeconds(30), [Engine("0", 0.01, 5, 1, 1)], [], 8, Bandwidth, 20);

        Assert.False(m.Valid);
    }

    [Fact]
    public void No_serving_samples_is_no_measurement()
    {
        var m = OperatingPointBuilder.Build(T0, T0.AddSeconds(30), [], [Gpu(0, 300, 0.2, 0.3)], 8, Bandwidth, 20);

        Assert.False(m.Valid);
        Assert.Equal("no serving samples in the window", m.InvalidReason);
        Assert.Equal(300, m.Point.PowerWatts);
    }
}
