using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Serving.Adapters;

namespace SolProfiler.Telemetry.Tests.Serving;

public sealed class AdapterFixtureTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<ServingSample> Read(string fixture, ServerKind expected)
    {
        var doc = FixtureFiles.Load(fixture);
        var (kind, adapter, _) = ServerDetector.Detect(doc);
        Assert.Equal(expected, kind);
        Assert.NotNull(adapter);
        Assert.Equal(expected, adapter.Kind);
        var samples = adapter.Read(doc, At);
        Assert.All(samples, s => Assert.Equal(expected, s.Server));
        Assert.All(samples, s => Assert.Equal(At, s.Timestamp));
        return samples;
    }

    private static void AssertHistogram(HistogramSnapshot? h, double count, double sum, int buckets)
    {
        Assert.NotNull(h);
        Assert.Equal(count, h.Count);
        Assert.Equal(sum, h.Sum, 9);
        Assert.Equal(buckets, h.Buckets.Count);
        if (buckets > 0)
        {
            Assert.True(double.IsPositiveInfinity(h.Buckets[^1].UpperBound));
            Assert.Equal(count, h.Buckets[^1].CumulativeCount);
            for (var i = 1; i < h.Buckets.Count; i++)
            {
                Assert.True(h.Buckets[i].UpperBound > h.Buckets[i - 1].UpperBound);
                Assert.True(h.Buckets[i].CumulativeCount >= h.Buckets[i - 1].CumulativeCount);
            }
        }
    }

    [Fact]
    public void VllmV1_two_engines_kept_apart()
    {
        var samples = Read("vllm-v1/metrics.prom", ServerKind.Vllm);
        Assert.Equal(2, samples.Count);
        Assert.Equal(["0", "1"], samples.Select(s => s.Engine));
        Assert.All(samples, s => Assert.Equal("meta-llama/Llama-3.1-8B-Instruct", s.Model));
        Assert.All(samples, s => Assert.Equal("v1 engine, 0.11+ names", s.VersionHint));

        var e0 = samples[0];
        Assert.Equal(12, e0.RunningRequests);
        Assert.Equal(3, e0.WaitingRequests);
        Assert.Equal(183421, e0.GenerationTokensTotal);
        Assert.Equal(912345, e0.PromptTokensTotal);
        Assert.Equal(4, e0.PreemptionsTotal);
        Assert.Equal(0.4375, e0.KvCacheUsageRatio);
        Assert.Equal(27689 * 16, e0.KvCacheCapacityTokens);
        Assert.Equal(60000, e0.SpecDecodeDraftTokensTotal);
        Assert.Equal(41234, e0.SpecDecodeAcceptedTokensTotal);
        AssertHistogram(e0.InterTokenLatency, 171200, 2391.5, 20);
        Assert.Equal(0.01, e0.InterTokenLatency!.Buckets[0].UpperBound);
        Assert.Equal(80, e0.InterTokenLatency.Buckets[^2].UpperBound);
        Assert.StartsWith("vllm:inter_token_latency_seconds:", e0.InterTokenLatencySource, StringComparison.Ordinal);
        Assert.Contains("per engine step", e0.InterTokenLatencySource, StringComparison.Ordinal);
        AssertHistogram(e0.TimeToFirstToken, 1500, 310.25, 23);
        Assert.Equal(2560, e0.TimeToFirstToken!.Buckets[^2].UpperBound);
        AssertHistogram(e0.E2eLatency, 1490, 11234.5, 22);

        var e1 = samples[1];
        Assert.Equal(9, e1.RunningRequests);
        Assert.Equal(0, e1.WaitingRequests);
        Assert.Equal(170002, e1.GenerationTokensTotal);
        Assert.Equal(880001, e1.PromptTokensTotal);
        Assert.Equal(0, e1.PreemptionsTotal);
        Assert.Equal(0.3125, e1.KvCacheUsageRatio);
        Assert.Equal(443024, e1.KvCacheCapacityTokens);
        Assert.Equal(58000, e1.SpecDecodeDraftTokensTotal);
        Assert.Equal(40000, e1.SpecDecodeAcceptedTokensTotal);
        AssertHistogram(e1.InterTokenLatency, 160100, 2201.25, 20);
        AssertHistogram(e1.TimeToFirstToken, 1400, 290.5, 23);
        AssertHistogram(e1.E2eLatency, 1395, 10900.75, 22);

        // Engines combine bucket by bucket (same bounds).
        var all = HistogramSnapshot.Combine(samples.Select(s => s.InterTokenLatency));
        AssertHistogram(all, 331300, 4592.75, 20);
    }

    [Fact]
    public void VllmV0_reads_old_names()
    {
        var s = Assert.Single(Read("vllm-v0/metrics.prom", ServerKind.VllmV0));
        Assert.Equal("0", s.Engine);
        Assert.Equal("mistralai/Mistral-7B-Instruct-v0.3", s.Model);
        Assert.Equal("v0 engine", s.VersionHint);
        Assert.Equal(5, s.RunningRequests);
        Assert.Equal(2, s.WaitingRequests);
        Assert.Equal(23456, s.GenerationTokensTotal);
        Assert.Equal(45678, s.PromptTokensTotal);
        Assert.Equal(1, s.PreemptionsTotal);
        Assert.Equal(0.27, s.KvCacheUsageRatio);
        Assert.Equal(7744 * 16, s.KvCacheCapacityTokens);
        AssertHistogram(s.InterTokenLatency, 23146, 578.65, 14);
        Assert.StartsWith("vllm:time_per_output_token_seconds:", s.InterTokenLatencySource, StringComparison.Ordinal);
        Assert.Contains("per engine step", s.InterTokenLatencySource, StringComparison.Ordinal);
        AssertHistogram(s.TimeToFirstToken, 310, 95.625, 17);
        Assert.Equal(10, s.TimeToFirstToken!.Buckets[^2].UpperBound);
        AssertHistogram(s.E2eLatency, 305, 1712.5, 11);
        Assert.Null(s.SpecDecodeDraftTokensTotal);
        Assert.Null(s.SpecDecodeAcceptedTokensTotal);
    }

    [Fact]
    public void Nim_reads_unprefixed_v0_names()
    {
        var s = Assert.Single(Read("nim/metrics.prom", ServerKind.Nim));
        Assert.Equal("meta/llama3-8b-instruct", s.Model);
        Assert.Equal("0", s.Engine);
        Assert.Equal(3, s.RunningRequests);
        Assert.Equal(1, s.WaitingRequests);
        Assert.Equal(34000, s.GenerationTokensTotal);
        Assert.Equal(12000, s.PromptTokensTotal);
        Assert.Equal(0.125, s.KvCacheUsageRatio);
        AssertHistogram(s.InterTokenLatency, 33880, 423.5, 14);
        Assert.StartsWith("time_per_output_token_seconds:", s.InterTokenLatencySource, StringComparison.Ordinal);
        AssertHistogram(s.TimeToFirstToken, 120, 18.0, 17);
        AssertHistogram(s.E2eLatency, 120, 441.5, 11);
        Assert.Null(s.PreemptionsTotal);
        Assert.Null(s.KvCacheCapacityTokens);
        Assert.Null(s.SpecDecodeDraftTokensTotal);
        Assert.Null(s.SpecDecodeAcceptedTokensTotal);
    }

    [Fact]
    public void Sglang_current_names()
    {
        var s = Assert.Single(Read("sglang/metrics.prom", ServerKind.Sglang));
        Assert.Equal("Qwen/Qwen2.5-7B-Instruct", s.Model);
        Assert.Equal("0", s.Engine);
        Assert.Equal("current names (inter_token_latency_seconds)", s.VersionHint);
        Assert.Equal(24, s.RunningRequests);
        Assert.Equal(5, s.WaitingRequests);
        Assert.Equal(749000, s.GenerationTokensTotal); // realtime_tokens_total{mode="decode"}, not the finish-time 750000
        Assert.Equal(2500000, s.PromptTokensTotal); // prefill_compute + prefill_cache
        Assert.Equal(1450000, s.PromptTokensComputedTotal);
        Assert.Equal(1050000, s.PrefixCacheHitTokensTotal);
        Assert.Equal(0.128, s.KvCacheUsageRatio);
        Assert.Equal(400000, s.KvCacheCapacityTokens);
        Assert.Equal(7, s.PreemptionsTotal);
        AssertHistogram(s.InterTokenLatency, 745000, 9685.0, 24);
        Assert.Equal(0.002, s.InterTokenLatency!.Buckets[0].UpperBound);
        Assert.StartsWith("sglang:inter_token_latency_seconds:", s.InterTokenLatencySource, StringComparison.Ordinal);
        Assert.Contains("per output token", s.InterTokenLatencySource, StringComparison.Ordinal);
        AssertHistogram(s.TimeToFirstToken, 3000, 1425.0, 19);
        AssertHistogram(s.E2eLatency, 3000, 11250.0, 23);
        Assert.Null(s.SpecDecodeDraftTokensTotal);
        Assert.Null(s.SpecDecodeAcceptedTokensTotal);
    }

    [Fact]
    public void Sglang_old_names()
    {
        var s = Assert.Single(Read("sglang/metrics-v0.4.prom", ServerKind.Sglang));
        Assert.Equal("meta-llama/Llama-3.1-8B-Instruct", s.Model);
        Assert.Equal("0.4-era names (time_per_output_token_seconds); no realtime_tokens_total: token totals move when requests finish", s.VersionHint);
        Assert.Equal(0, s.RunningRequests);
        Assert.Equal(0, s.WaitingRequests);
        Assert.Equal(7557572, s.GenerationTokensTotal);
        Assert.Equal(8128902, s.PromptTokensTotal);
        Assert.Equal(0.28, s.KvCacheUsageRatio);
        Assert.Equal(320000, s.KvCacheCapacityTokens);
        AssertHistogram(s.InterTokenLatency, 7555572, 866964.5791549598, 19);
        Assert.StartsWith("sglang:time_per_output_token_seconds", s.InterTokenLatencySource, StringComparison.Ordinal);
        AssertHistogram(s.TimeToFirstToken, 2000, 235189.79474117756, 21);
        AssertHistogram(s.E2eLatency, 2000, 311609.3850019932, 16);
        Assert.Null(s.PreemptionsTotal);
        Assert.Null(s.SpecDecodeDraftTokensTotal);
    }

    [Fact]
    public void Tgi_decode_forward_is_the_inter_token_signal()
    {
        var s = Assert.Single(Read("tgi/metrics.prom", ServerKind.Tgi));
        Assert.Null(s.Model);
        Assert.Equal("0", s.Engine);
        Assert.Equal(32, s.RunningRequests);
        Assert.Equal(4, s.WaitingRequests);
        Assert.Equal(245000, s.GenerationTokensTotal);
        Assert.Equal(612000, s.PromptTokensTotal);
        AssertHistogram(s.InterTokenLatency, 98000, 1523.4, 36);
        Assert.Equal(0.00015, s.InterTokenLatency!.Buckets[0].UpperBound, 12);
        Assert.StartsWith("tgi_batch_forward_duration{method=\"decode\"}:", s.InterTokenLatencySource, StringComparison.Ordinal);
        Assert.Contains("tgi_batch_current_size", s.InterTokenLatencySource, StringComparison.Ordinal);
        AssertHistogram(s.E2eLatency, 1190, 4165.0, 36);
        Assert.Equal(0.25, s.KvCacheUsageRatio);
        Assert.Equal(262144, s.KvCacheCapacityTokens);
        Assert.Null(s.TimeToFirstToken);
        Assert.Null(s.PreemptionsTotal);
        Assert.Null(s.SpecDecodeDraftTokensTotal);
        Assert.Null(s.SpecDecodeAcceptedTokensTotal);
    }

    [Fact]
    public void TrtLlm_serve_per_request_tpot_and_spec_decode()
    {
        var s = Assert.Single(Read("trtllm/metrics.prom", ServerKind.TrtLlm));
        Assert.Equal("Qwen/Qwen3-0.6B", s.Model);
        Assert.Equal("0", s.Engine);
        Assert.Equal(6, s.RunningRequests);
        Assert.Equal(2, s.WaitingRequests);
        Assert.Null(s.GenerationTokensTotal);
        Assert.Equal(81234, s.PromptTokensTotal);
        AssertHistogram(s.InterTokenLatency, 498, 3.9342, 20);
        Assert.StartsWith("trtllm_time_per_output_token_seconds:", s.InterTokenLatencySource, StringComparison.Ordinal);
        Assert.Contains("per-request", s.InterTokenLatencySource, StringComparison.Ordinal);
        AssertHistogram(s.TimeToFirstToken, 500, 21.5, 23);
        AssertHistogram(s.E2eLatency, 500, 812.5, 22);
        Assert.Equal(0.0625, s.KvCacheUsageRatio);
        Assert.Null(s.KvCacheCapacityTokens);
        Assert.Null(s.PreemptionsTotal);
        Assert.Equal(9000, s.SpecDecodeDraftTokensTotal);
        Assert.Equal(5200, s.SpecDecodeAcceptedTokensTotal);
    }

    [Fact]
    public void Triton_trtllm_one_sample_per_model()
    {
        var samples = Read("triton-trtllm/metrics.prom", ServerKind.TritonTrtLlm);
        Assert.Equal(["ensemble", "postprocessing", "preprocessing", "tensorrt_llm"], samples.Select(s => s.Model));
        Assert.All(samples, s => Assert.Equal("0", s.Engine));
        Assert.All(samples, s => Assert.Null(s.InterTokenLatency));
        Assert.All(samples, s => Assert.Null(s.InterTokenLatencySource));
        Assert.All(samples, s => Assert.Null(s.PreemptionsTotal));

        var trt = samples[3];
        Assert.Equal("TensorRT-LLM backend", trt.VersionHint);
        Assert.Equal(7, trt.RunningRequests); // generation_requests, not request_type="active" (8, context phase included)
        Assert.Equal(512, trt.PrefillTokensLastStep);
        Assert.Equal(2, trt.WaitingRequests);
        Assert.Equal(640000, trt.GenerationTokensTotal);
        Assert.Equal(1024000, trt.PromptTokensTotal);
        Assert.Equal(0.25, trt.KvCacheUsageRatio);
        Assert.Equal(4096 * 64, trt.KvCacheCapacityTokens);
        AssertHistogram(trt.TimeToFirstToken, 5000, 700.123, 5);
        Assert.Equal([0.1, 0.5, 2.0, 5.0], trt.TimeToFirstToken!.Buckets.Take(4).Select(b => Math.Round(b.UpperBound, 9)));
        AssertHistogram(trt.E2eLatency, 5000, 9712.345678, 0);

        var ensemble = samples[0];
        Assert.Null(ensemble.RunningRequests);
        Assert.Equal(3, ensemble.WaitingRequests);
        Assert.Null(ensemble.GenerationTokensTotal);
        Assert.Null(ensemble.KvCacheUsageRatio);
        Assert.Null(ensemble.KvCacheCapacityTokens);
        AssertHistogram(ensemble.TimeToFirstToken, 5000, 812.345, 5);
        AssertHistogram(ensemble.E2eLatency, 5000, 9876.54321, 0);

        var pre = samples[2];
        Assert.Equal(0, pre.WaitingRequests);
        Assert.Null(pre.TimeToFirstToken);
        AssertHistogram(pre.E2eLatency, 5000, 4.321, 0);
    }

    [Fact]
    public void LlamaCpp_current_build()
    {
        var s = Assert.Single(Read("llamacpp/metrics.prom", ServerKind.LlamaCpp));
        Assert.Null(s.Model);
        Assert.Equal("0", s.Engine);
        Assert.Null(s.VersionHint);
        Assert.Equal(3, s.RunningRequests);
        Assert.Equal(1, s.WaitingRequests);
        Assert.Equal(98765, s.GenerationTokensTotal);
        Assert.Null(s.PromptTokensTotal); // no prompt_tokens_cached_total: the whole prompt is unknown
        Assert.Equal(51234, s.PromptTokensComputedTotal);
        Assert.Equal(34567, s.EngineStepsTotal);
        Assert.Equal(Math.Round(2.85 * 34567), s.BatchSequencesTotal);
        AssertHistogram(s.InterTokenLatency, 98765, 2469.125, 0);
        Assert.StartsWith("llamacpp:tokens_predicted_seconds_total / llamacpp:tokens_predicted_total:", s.InterTokenLatencySource, StringComparison.Ordinal);
        Assert.Null(s.KvCacheUsageRatio);
        Assert.Null(s.KvCacheCapacityTokens);
        Assert.Null(s.TimeToFirstToken);
        Assert.Null(s.E2eLatency);
        Assert.Null(s.PreemptionsTotal);
        Assert.Null(s.SpecDecodeDraftTokensTotal);
    }

    [Fact]
    public void LlamaCpp_older_build_with_kv_ratio_and_no_deferred()
    {
        var s = Assert.Single(Read("llamacpp/metrics-2024.prom", ServerKind.LlamaCpp));
        Assert.Equal(1, s.RunningRequests);
        Assert.Null(s.WaitingRequests);
        Assert.Equal(0.15, s.KvCacheUsageRatio);
        AssertHistogram(s.InterTokenLatency, 4096, 81.92, 0);
    }

    [Fact]
    public void Dynamo_frontend_per_model()
    {
        var samples = Read("dynamo/metrics.prom", ServerKind.Dynamo);
        Assert.Equal(["meta-llama/llama-3.1-8b-instruct", "qwen/qwen3-0.6b"], samples.Select(s => s.Model));

        var qwen = samples[1];
        Assert.Equal("0", qwen.Engine);
        Assert.Equal(6, qwen.RunningRequests); // inflight 7 - queued 1
        Assert.Equal(1, qwen.WaitingRequests);
        Assert.Equal(204800, qwen.GenerationTokensTotal);
        Assert.Equal(153600, qwen.PromptTokensTotal);
        AssertHistogram(qwen.InterTokenLatency, 204400, 1635.2, 14);
        Assert.Equal(0, qwen.InterTokenLatency!.Buckets[0].UpperBound);
        Assert.StartsWith("dynamo_frontend_inter_token_latency_seconds:", qwen.InterTokenLatencySource, StringComparison.Ordinal);
        AssertHistogram(qwen.TimeToFirstToken, 400, 38.0, 19);
        AssertHistogram(qwen.E2eLatency, 400, 1720.0, 11);
        Assert.Equal(8192 * 16, qwen.KvCacheCapacityTokens);
        Assert.Null(qwen.KvCacheUsageRatio);
        Assert.Null(qwen.PreemptionsTotal);
        Assert.Null(qwen.SpecDecodeDraftTokensTotal);

        var llama = samples[0];
        Assert.Equal(2, llama.RunningRequests);
        Assert.Equal(0, llama.WaitingRequests);
        Assert.Equal(51200, llama.GenerationTokensTotal);
        Assert.Equal(76800, llama.PromptTokensTotal);
        AssertHistogram(llama.InterTokenLatency, 51100, 664.3, 14);
        Assert.Equal(2048 * 32, llama.KvCacheCapacityTokens);
    }

    [Fact]
    public void Every_adapter_reads_an_unrelated_document_as_empty()
    {
        var doc = FixtureFiles.Load("unrelated/node-exporter.prom");
        foreach (var adapter in ServerDetector.All)
        {
            Assert.Equal(0, adapter.Score(doc));
            Assert.Empty(adapter.Read(doc, At));
        }
    }

    [Theory]
    [InlineData("vllm-v1/metrics.prom")]
    [InlineData("vllm-v0/metrics.prom")]
    [InlineData("nim/metrics.prom")]
    [InlineData("sglang/metrics.prom")]
    [InlineData("sglang/metrics-v0.4.prom")]
    [InlineData("tgi/metrics.prom")]
    [InlineData("trtllm/metrics.prom")]
    [InlineData("triton-trtllm/metrics.prom")]
    [InlineData("llamacpp/metrics.prom")]
    [InlineData("llamacpp/metrics-2024.prom")]
    [InlineData("dynamo/metrics.prom")]
    public void Fixtures_have_no_duplicate_series(string fixture)
    {
        // The parser keeps the first of two samples with one name and label set and reports the second as a
        // problem, so the kept samples are distinct whatever the file holds: the problems are what can tell.
        var doc = FixtureFiles.Load(fixture);
        Assert.DoesNotContain(doc.Problems, p => p.Message.StartsWith("duplicate series", StringComparison.Ordinal));
    }
}
