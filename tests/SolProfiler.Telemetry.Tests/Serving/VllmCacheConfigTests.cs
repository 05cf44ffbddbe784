using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Serving.Adapters;

namespace SolProfiler.Telemetry.Tests.Serving;

/// <summary>The KV-cache dtype and block size from vLLM's <c>cache_config_info</c>, per engine, as published.</summary>
public sealed class VllmCacheConfigTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("vllm-v1/metrics.prom", ServerKind.Vllm)]
    [InlineData("vllm-v0/metrics.prom", ServerKind.VllmV0)]
    public void The_real_exposition_gives_the_dtype_and_block_size(string fixture, ServerKind kind)
    {
        var doc = FixtureFiles.Load(fixture);
        var (detected, adapter, _) = ServerDetector.Detect(doc);
        Assert.Equal(kind, detected);
        var samples = adapter!.Read(doc, At);
        Assert.NotEmpty(samples);
        Assert.All(samples, s => Assert.Equal("auto", s.KvCacheDtype));
        Assert.All(samples, s => Assert.Equal(16, s.KvCacheBlockSize));
    }

    [Fact]
    public void Each_engine_gets_its_own_series()
    {
        var doc = ExpositionParser.Parse("""
            vllm:num_requests_running{engine="0",model_name="m"} 1
            vllm:num_requests_running{engine="1",model_name="m"} 1
            vllm:cache_config_info{block_size="32",cache_dtype="fp8_e4m3",engine="0",num_gpu_blocks="100"} 1
            vllm:cache_config_info{block_size="16",cache_dtype="auto",engine="1",num_gpu_blocks="100"} 1
            """);
        var samples = new VllmAdapter().Read(doc, At).OrderBy(s => s.Engine, StringComparer.Ordinal).ToArray();
        Assert.Equal(["fp8_e4m3", "auto"], samples.Select(s => s.KvCacheDtype));
        Assert.Equal([32.0, 16.0], samples.Select(s => s.KvCacheBlockSize));
    }

    [Fact]
    public void Without_the_labels_or_the_series_both_stay_null()
    {
        var withoutLabels = ExpositionParser.Parse("""
            vllm:num_requests_running{engine="0",model_name="m"} 1
            vllm:cache_config_info{block_size="None",engine="0",num_gpu_blocks="100"} 1
            """);
        var withoutSeries = ExpositionParser.Parse("""vllm:num_requests_running{engine="0",model_name="m"} 1""");
        foreach (var doc in new[] { withoutLabels, withoutSeries })
        {
            var sample = Assert.Single(new VllmAdapter().Read(doc, At));
            Assert.Null(sample.KvCacheDtype);
            Assert.Null(sample.KvCacheBlockSize);
        }
    }
}
