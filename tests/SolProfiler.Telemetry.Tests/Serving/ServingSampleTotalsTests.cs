using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Telemetry.Tests.Serving;

public class ServingSampleTotalsTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Engines_add_up_and_absent_values_stay_absent()
    {
        var a = new ServingSample
        {
            Server = ServerKind.Vllm, Engine = "0", Model = "m", Timestamp = T, RunningRequests = 12, GenerationTokensTotal = 1000,
            InterTokenLatency = new HistogramSnapshot(2, 100, [new(0.05, 90), new(double.PositiveInfinity, 100)]),
            KvCacheUsageRatio = 0.5, KvCacheCapacityTokens = 1000,
        };
        var b = a with
        {
            Engine = "1", RunningRequests = 4, GenerationTokensTotal = 500,
            InterTokenLatency = new HistogramSnapshot(1, 40, [new(0.05, 30), new(double.PositiveInfinity, 40)]),
            KvCacheUsageRatio = 0.2, KvCacheCapacityTokens = 3000,
        };
        var all = ServingSampleTotals.Sum([a, b])!;
        Assert.Equal("all", all.Engine);
        Assert.Equal(16, all.RunningRequests);
        Assert.Equal(1500, all.GenerationTokensTotal);
        Assert.Equal(3, all.InterTokenLatency!.Sum);
        Assert.Equal(140, all.InterTokenLatency.Count);
        Assert.Equal([120.0, 140.0], all.InterTokenLatency.Buckets.Select(x => x.CumulativeCount));
        // (0.5 x 1,000 + 0.2 x 3,000) / 4,000 tokens = 0.275
        Assert.Equal(0.275, all.KvCacheUsageRatio!.Value, 12);
        Assert.Null(all.WaitingRequests);
        Assert.Null(all.PreemptionsTotal);
        Assert.Equal("m", all.Model);
    }

    [Fact]
    public void Nothing_to_sum_is_null() => Assert.Null(ServingSampleTotals.Sum([]));
}
