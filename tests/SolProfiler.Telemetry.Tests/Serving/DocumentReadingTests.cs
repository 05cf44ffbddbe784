using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Serving.Adapters;

namespace SolProfiler.Telemetry.Tests.Serving;

public sealed class DocumentReadingTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);
    private static readonly SeriesKeying ByModelAndEngine = new(["model_name"], ["engine"]);

    [Theory]
    [InlineData("1", 1.0)]
    [InlineData("1.0", 1.0)]
    [InlineData("128", 128.0)]
    [InlineData("2.5e-3", 0.0025)]
    [InlineData("0.00015000000000000001", 0.00015)]
    [InlineData("+Inf", double.PositiveInfinity)]
    [InlineData("Inf", double.PositiveInfinity)]
    public void ParseLe_reads_numbers_and_inf(string text, double expected) =>
        Assert.Equal(expected, DocumentReading.ParseLe(text)!.Value, 12);

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("abc")]
    public void ParseLe_rejects_non_numbers(string? text) => Assert.Null(DocumentReading.ParseLe(text));

    [Fact]
    public void Histogram_groups_by_labels_minus_le_in_any_order_and_sorts_buckets()
    {
        var doc = ExpositionParser.Parse("""
            h_bucket{le="+Inf",model_name="m",engine="0"} 10
            h_bucket{model_name="m",le="1",engine="0"} 7
            h_bucket{engine="0",model_name="m",le="0.5"} 3
            h_sum{model_name="m",engine="0"} 6.5
            h_count{engine="0",model_name="m"} 10
            h_bucket{model_name="m",engine="1",le="0.5"} 1
            h_bucket{model_name="m",engine="1",le="1.0"} 2
            h_bucket{model_name="m",engine="1",le="+Inf"} 4
            h_sum{model_name="m",engine="1"} 3
            h_count{model_name="m",engine="1"} 4
            """);
        var byKey = DocumentReading.Histogram(doc, "h", ByModelAndEngine);
        Assert.Equal(2, byKey.Count);
        var e0 = byKey[new SeriesKey("m", "0")];
        Assert.Equal(10, e0.Count);
        Assert.Equal(6.5, e0.Sum);
        Assert.Equal([0.5, 1.0, double.PositiveInfinity], e0.Buckets.Select(b => b.UpperBound));
        Assert.Equal([3.0, 7.0, 10.0], e0.Buckets.Select(b => b.CumulativeCount));
        var e1 = byKey[new SeriesKey("m", "1")];
        Assert.Equal([1.0, 2.0, 4.0], e1.Buckets.Select(b => b.CumulativeCount));
    }

    [Theory]
    [InlineData("a=1,b=2,le=1", "b=2,le=+Inf,a=1", true)] // le ignored, order ignored
    [InlineData("a=1,b=2", "a=1,b=2,le=0.5", true)] // _sum/_count (no le) and a bucket of the same series
    [InlineData("a=1,b=2,le=1", "a=1,b=3,le=1", false)] // one value differs
    [InlineData("a=1,le=1", "a=1,b=2,le=1", false)] // one label more
    [InlineData("a=1,b=2", "a=1,c=2", false)] // same count and value, another name
    public void A_histogram_series_is_its_labels_but_le_whatever_their_order(string x, string y, bool same)
    {
        static MetricSample Sample(string labels) => new("h_bucket", labels.Split(',').Select(p => p.Split('=')).Select(p => new Label(p[0], p[1])).ToArray(), 1);

        var (a, b) = (Sample(x), Sample(y));
        Assert.Equal(same, LabelsExceptLe.Instance.Equals(a, b));
        Assert.Equal(same, LabelsExceptLe.Instance.Equals(b, a));
        if (same)
        {
            Assert.Equal(LabelsExceptLe.Instance.GetHashCode(a), LabelsExceptLe.Instance.GetHashCode(b));
        }
    }

    [Fact]
    public void Histogram_combines_label_sets_sharing_a_key_and_filters()
    {
        var doc = ExpositionParser.Parse("""
            d_bucket{method="prefill",le="0.1"} 1
            d_bucket{method="prefill",le="+Inf"} 2
            d_sum{method="prefill"} 0.3
            d_count{method="prefill"} 2
            d_bucket{method="decode",le="0.1"} 5
            d_bucket{method="decode",le="+Inf"} 6
            d_sum{method="decode"} 0.4
            d_count{method="decode"} 6
            """);
        var keying = new SeriesKeying([], ["engine"]);
        var both = Assert.Single(DocumentReading.Histogram(doc, "d", keying)).Value;
        Assert.Equal(8, both.Count);
        Assert.Equal(0.7, both.Sum, 12);
        Assert.Equal([6.0, 8.0], both.Buckets.Select(b => b.CumulativeCount));

        var decode = Assert.Single(DocumentReading.Histogram(doc, "d", keying, s => s.LabelValue("method") == "decode")).Value;
        Assert.Equal(6, decode.Count);
        Assert.Equal(new SeriesKey(null, "0"), Assert.Single(DocumentReading.Histogram(doc, "d", keying)).Key);
    }

    [Fact]
    public void Histogram_without_count_uses_the_inf_bucket_and_scales_ms()
    {
        var doc = ExpositionParser.Parse("""
            t_bucket{le="100"} 2
            t_bucket{le="+Inf"} 3
            t_sum 450
            """);
        var h = Assert.Single(DocumentReading.Histogram(doc, "t", new SeriesKeying([], []), scale: 1e-3)).Value;
        Assert.Equal(3, h.Count);
        Assert.Equal(0.45, h.Sum, 12);
        Assert.Equal(0.1, h.Buckets[0].UpperBound, 12);
        Assert.True(double.IsPositiveInfinity(h.Buckets[1].UpperBound));
    }

    [Fact]
    public void Counters_sum_over_other_labels_and_gauges_take_the_largest_replica()
    {
        var doc = ExpositionParser.Parse("""
            c_total{model_name="m",finished_reason="stop"} 5
            c_total{model_name="m",finished_reason="length"} 2
            g{model_name="m",pp_rank="0"} 3
            g{model_name="m",pp_rank="1"} 4
            g{model_name="m",pp_rank="2"} NaN
            """);
        Assert.Equal(7, DocumentReading.Sum(doc, "c_total", ByModelAndEngine)[new SeriesKey("m", "0")]);
        Assert.Equal(4, DocumentReading.Gauge(doc, "g", ByModelAndEngine)[new SeriesKey("m", "0")]);
        Assert.Empty(DocumentReading.Sum(doc, "missing_total", ByModelAndEngine));
    }

    [Fact]
    public void Engines_sort_numerically()
    {
        var doc = ExpositionParser.Parse("""
            vllm:num_requests_running{engine="10",model_name="m"} 1
            vllm:num_requests_running{engine="2",model_name="m"} 1
            vllm:num_requests_running{engine="0",model_name="m"} 1
            """);
        var samples = new VllmAdapter().Read(doc, At);
        Assert.Equal(["0", "2", "10"], samples.Select(s => s.Engine));
        Assert.All(samples, s => Assert.Null(s.WaitingRequests));
        Assert.All(samples, s => Assert.Null(s.InterTokenLatency));
        Assert.All(samples, s => Assert.Null(s.InterTokenLatencySource));
    }

    [Fact]
    public void Sglang_dp_ranks_are_separate_engines()
    {
        var doc = ExpositionParser.Parse("""
            sglang:num_running_reqs{dp_rank="0",engine_type="unified",model_name="m",tp_rank="0"} 10
            sglang:num_running_reqs{dp_rank="1",engine_type="unified",model_name="m",tp_rank="4"} 12
            sglang:token_usage{dp_rank="0",engine_type="unified",model_name="m",tp_rank="0"} 0.5
            sglang:token_usage{dp_rank="1",engine_type="unified",model_name="m",tp_rank="4"} 0.25
            sglang:generation_tokens_total{model_name="m"} 1000
            """);
        var (kind, adapter, _) = ServerDetector.Detect(doc);
        Assert.Equal(ServerKind.Sglang, kind);
        var samples = adapter!.Read(doc, At);
        Assert.Equal(["0", "1", SglangAdapter.TokenizerEngine], samples.Select(s => s.Engine));
        Assert.Equal([10.0, 12.0], samples.Take(2).Select(s => s.RunningRequests!.Value));
        Assert.Equal([0.5, 0.25], samples.Take(2).Select(s => s.KvCacheUsageRatio!.Value));

        // Tokenizer-side, no rank label: all ranks together, on an engine of its own, not on rank 0.
        Assert.Null(samples[0].GenerationTokensTotal);
        Assert.Null(samples[1].GenerationTokensTotal);
        Assert.Equal(1000, samples[2].GenerationTokensTotal);
        Assert.Null(samples[2].RunningRequests);
    }

    [Fact]
    public void Unprefixed_trtllm_is_recognised_by_engine_type()
    {
        var doc = ExpositionParser.Parse("""
            time_to_first_token_seconds_bucket{engine_type="trtllm",model_name="m",le="0.1"} 1
            time_to_first_token_seconds_bucket{engine_type="trtllm",model_name="m",le="+Inf"} 2
            time_to_first_token_seconds_sum{engine_type="trtllm",model_name="m"} 0.15
            time_to_first_token_seconds_count{engine_type="trtllm",model_name="m"} 2
            request_success_total{engine_type="trtllm",finished_reason="stop",model_name="m"} 2
            """);
        var (kind, adapter, _) = ServerDetector.Detect(doc);
        Assert.Equal(ServerKind.TrtLlm, kind);
        var s = Assert.Single(adapter!.Read(doc, At));
        Assert.Equal("unprefixed names (older trtllm-serve)", s.VersionHint);
        Assert.Equal(2, s.TimeToFirstToken!.Count);
        Assert.Equal(0, new NimAdapter().Score(doc));
    }

    [Fact]
    public void Dynamo_legacy_prefix_is_read()
    {
        var doc = ExpositionParser.Parse("""
            nv_llm_http_service_inflight_requests{model="m"} 3
            nv_llm_http_service_requests_total{endpoint="chat_completions",model="m",request_type="stream",status="success"} 9
            nv_llm_http_service_output_tokens_total{model="m"} 900
            """);
        var (kind, adapter, _) = ServerDetector.Detect(doc);
        Assert.Equal(ServerKind.Dynamo, kind);
        var s = Assert.Single(adapter!.Read(doc, At));
        Assert.Equal("legacy nv_llm_http_service_ names", s.VersionHint);
        Assert.Equal(3, s.RunningRequests);
        Assert.Equal(900, s.GenerationTokensTotal);
    }

    [Fact]
    public void Cache_config_without_engine_label_applies_to_every_engine()
    {
        var doc = ExpositionParser.Parse("""
            vllm:num_requests_running{engine="0",model_name="m"} 1
            vllm:num_requests_running{engine="1",model_name="m"} 1
            vllm:cache_config_info{block_size="32",num_gpu_blocks="100"} 1
            """);
        var samples = new VllmAdapter().Read(doc, At);
        Assert.All(samples, s => Assert.Equal(3200, s.KvCacheCapacityTokens));
    }

    [Fact]
    public void Cache_config_with_unparsable_blocks_leaves_capacity_null()
    {
        var doc = ExpositionParser.Parse("""
            vllm:num_requests_running{engine="0",model_name="m"} 1
            vllm:cache_config_info{block_size="16",engine="0",num_gpu_blocks="None"} 1
            """);
        Assert.Null(Assert.Single(new VllmAdapter().Read(doc, At)).KvCacheCapacityTokens);
    }
}
