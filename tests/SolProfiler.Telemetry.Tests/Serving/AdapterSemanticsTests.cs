using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Serving.Adapters;

namespace SolProfiler.Telemetry.Tests.Serving;

/// <summary>
/// What each adapter reads, on bodies shaped as the real servers publish them (names, labels, types and HELP as in
/// their source), one test per meaning that an adapter once got wrong.
/// </summary>
public sealed class AdapterSemanticsTests
{
    private static readonly DateTimeOffset At = new(2026, 12, 3, 9, 0, 0, TimeSpan.Zero);

    private static IReadOnlyList<ServingSample> Read(string body, ServerKind expected)
    {
        var doc = ExpositionParser.Parse(body);
        Assert.Equal(0, doc.LineErrorCount);
        var (kind, adapter, _) = ServerDetector.Detect(doc);
        Assert.Equal(expected, kind);
        return adapter!.Read(doc, At);
    }

    private static ServingSample ReadCapture(string name)
    {
        // Fixtures/llamacpp/capture-*.prom are the real bodies of /work/shared/llamacpp/captures/llamacpp-*.prom, copied
        // unchanged (their first comment lines say which build and how each was taken).
        var doc = FixtureFiles.Load("llamacpp/capture-" + name + ".prom");
        var (kind, adapter, _) = ServerDetector.Detect(doc);
        Assert.Equal(ServerKind.LlamaCpp, kind);
        return Assert.Single(adapter!.Read(doc, At));
    }

    [Theory]
    [InlineData("idle-fresh")]
    [InlineData("idle-after-1req")]
    [InlineData("load-c4-1")]
    [InlineData("load-c4-2")]
    [InlineData("load-c4-3")]
    [InlineData("load-c4-curl")]
    public void LlamaCpp_real_captures_are_detected_and_read(string capture)
    {
        var s = ReadCapture(capture);
        Assert.Null(s.VersionHint);
        Assert.NotNull(s.EngineStepsTotal);
        Assert.NotNull(s.BatchSequencesTotal);
        Assert.Equal(s.PromptTokensComputedTotal + s.PrefixCacheHitTokensTotal, s.PromptTokensTotal);
        Assert.Equal(0, s.SpecDecodeDraftsTotal);
        Assert.Equal(0, s.SpecDecodeDraftTokensTotal);
        Assert.Equal(0, s.SpecDecodeAcceptedTokensTotal);
        Assert.Null(s.KvCacheUsageRatio);
    }

    [Fact]
    public void LlamaCpp_steps_batch_and_cached_prompt_tokens_from_a_real_capture()
    {
        var s = ReadCapture("load-c4-1");
        Assert.Equal(547, s.EngineStepsTotal); // n_decode_total
        Assert.Equal(856, s.BatchSequencesTotal); // n_busy_slots_per_decode 1.5649 x 547, rounded
        Assert.Equal(40, s.PromptTokensComputedTotal); // prompt_tokens_total excludes cached tokens
        Assert.Equal(273, s.PrefixCacheHitTokensTotal);
        Assert.Equal(313, s.PromptTokensTotal);
        Assert.Equal(4, s.RunningRequests);
        Assert.Equal(700, s.GenerationTokensTotal);
        Assert.Contains("biased low by 1/n", s.InterTokenLatencySource, StringComparison.Ordinal);
        Assert.Contains("n-1 decode steps", s.InterTokenLatencySource, StringComparison.Ordinal);
    }

    [Fact]
    public void LlamaCpp_batch_over_a_window_of_real_captures_is_the_busy_slots()
    {
        // -np 4 with 4 clients: every decode call between the two scrapes carried the 4 slots.
        var a = ReadCapture("load-c4-1");
        var b = ReadCapture("load-c4-2");
        var meanBatch = (b.BatchSequencesTotal - a.BatchSequencesTotal) / (b.EngineStepsTotal - a.EngineStepsTotal);
        Assert.Equal(4.0, meanBatch!.Value, 2);
    }

    [Fact]
    public void LlamaCpp_fresh_server_has_zero_steps_and_sequences()
    {
        var s = ReadCapture("idle-fresh");
        Assert.Equal(0, s.EngineStepsTotal);
        Assert.Equal(0, s.BatchSequencesTotal);
    }

    [Theory]
    [InlineData("counter")]
    [InlineData("gauge")]
    public void LlamaCpp_busy_slots_per_decode_is_read_whatever_its_type(string type)
    {
        var s = Assert.Single(Read($"""
            # TYPE llamacpp:n_decode_total counter
            llamacpp:n_decode_total 1000
            # TYPE llamacpp:n_busy_slots_per_decode {type}
            llamacpp:n_busy_slots_per_decode 2.5
            # TYPE llamacpp:requests_processing gauge
            llamacpp:requests_processing 3
            """, ServerKind.LlamaCpp));
        Assert.Equal(1000, s.EngineStepsTotal);
        Assert.Equal(2500, s.BatchSequencesTotal);
    }

    [Theory]
    [InlineData("-1")]
    [InlineData("NaN")]
    [InlineData("+Inf")]
    public void LlamaCpp_nonsense_values_leave_fields_null(string value)
    {
        var s = Assert.Single(Read($"""
            llamacpp:n_decode_total 1000
            llamacpp:n_busy_slots_per_decode {value}
            llamacpp:prompt_tokens_total {value}
            llamacpp:requests_processing 3
            """, ServerKind.LlamaCpp));
        Assert.Equal(1000, s.EngineStepsTotal);
        Assert.Null(s.BatchSequencesTotal);
        Assert.Null(s.PromptTokensComputedTotal);
        Assert.Null(s.PromptTokensTotal);
        Assert.Equal(3, s.RunningRequests);
    }

    [Fact]
    public void LlamaCpp_speculative_counters_are_read()
    {
        var s = Assert.Single(Read("""
            llamacpp:n_decode_total 100
            llamacpp:spec_decode_num_draft_tokens_total 640
            llamacpp:spec_decode_num_accepted_tokens_total 400
            llamacpp:spec_decode_num_drafts_total 160
            """, ServerKind.LlamaCpp));
        Assert.Equal(640, s.SpecDecodeDraftTokensTotal);
        Assert.Equal(400, s.SpecDecodeAcceptedTokensTotal);
        Assert.Equal(160, s.SpecDecodeDraftsTotal);
    }

    private const string VllmV1Body = """
        # HELP vllm:num_requests_running Number of requests in model execution batches.
        # TYPE vllm:num_requests_running gauge
        vllm:num_requests_running{engine="0",model_name="m"} 8.0
        vllm:num_requests_running{engine="1",model_name="m"} 6.0
        # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
        # TYPE vllm:kv_cache_usage_perc gauge
        vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.5
        vllm:kv_cache_usage_perc{engine="1",model_name="m"} 0.25
        # HELP vllm:prompt_tokens_total Number of prefill tokens processed.
        # TYPE vllm:prompt_tokens_total counter
        vllm:prompt_tokens_total{engine="0",model_name="m"} 10000.0
        vllm:prompt_tokens_total{engine="1",model_name="m"} 9000.0
        # HELP vllm:prompt_tokens_by_source_total Number of prompt tokens by source.
        # TYPE vllm:prompt_tokens_by_source_total counter
        vllm:prompt_tokens_by_source_total{engine="0",model_name="m",source="local_compute"} 3000.0
        vllm:prompt_tokens_by_source_total{engine="0",model_name="m",source="local_cache_hit"} 6500.0
        vllm:prompt_tokens_by_source_total{engine="0",model_name="m",source="external_kv_transfer"} 500.0
        vllm:prompt_tokens_by_source_total{engine="1",model_name="m",source="local_compute"} 9000.0
        vllm:prompt_tokens_by_source_total{engine="1",model_name="m",source="local_cache_hit"} 0.0
        vllm:prompt_tokens_by_source_total{engine="1",model_name="m",source="external_kv_transfer"} 0.0
        # HELP vllm:prompt_tokens_cached_total Number of cached prompt tokens (local + external).
        # TYPE vllm:prompt_tokens_cached_total counter
        vllm:prompt_tokens_cached_total{engine="0",model_name="m"} 7000.0
        vllm:prompt_tokens_cached_total{engine="1",model_name="m"} 0.0
        # HELP vllm:prefix_cache_hits_total Prefix cache hits, in terms of number of cached tokens.
        # TYPE vllm:prefix_cache_hits_total counter
        vllm:prefix_cache_hits_total{engine="0",model_name="m"} 9000.0
        vllm:prefix_cache_hits_total{engine="1",model_name="m"} 0.0
        # HELP vllm:generation_tokens_total Number of generation tokens processed.
        # TYPE vllm:generation_tokens_total counter
        vllm:generation_tokens_total{engine="0",model_name="m"} 50000.0
        vllm:generation_tokens_total{engine="1",model_name="m"} 40000.0
        # HELP vllm:spec_decode_num_drafts_total Number of spec decoding drafts.
        # TYPE vllm:spec_decode_num_drafts_total counter
        vllm:spec_decode_num_drafts_total{engine="0",model_name="m"} 20000.0
        vllm:spec_decode_num_drafts_total{engine="1",model_name="m"} 16000.0
        # HELP vllm:iteration_tokens_total Histogram of number of tokens per engine_step.
        # TYPE vllm:iteration_tokens_total histogram
        vllm:iteration_tokens_total_bucket{engine="0",le="1.0",model_name="m"} 100.0
        vllm:iteration_tokens_total_bucket{engine="0",le="8.0",model_name="m"} 5800.0
        vllm:iteration_tokens_total_bucket{engine="0",le="+Inf",model_name="m"} 6000.0
        vllm:iteration_tokens_total_count{engine="0",model_name="m"} 6000.0
        vllm:iteration_tokens_total_sum{engine="0",model_name="m"} 60000.0
        vllm:iteration_tokens_total_bucket{engine="1",le="1.0",model_name="m"} 50.0
        vllm:iteration_tokens_total_bucket{engine="1",le="8.0",model_name="m"} 4900.0
        vllm:iteration_tokens_total_bucket{engine="1",le="+Inf",model_name="m"} 5000.0
        vllm:iteration_tokens_total_count{engine="1",model_name="m"} 5000.0
        vllm:iteration_tokens_total_sum{engine="1",model_name="m"} 49000.0
        # HELP vllm:inter_token_latency_seconds Histogram of inter-token latency in seconds.
        # TYPE vllm:inter_token_latency_seconds histogram
        vllm:inter_token_latency_seconds_bucket{engine="0",le="0.01",model_name="m"} 10.0
        vllm:inter_token_latency_seconds_bucket{engine="0",le="+Inf",model_name="m"} 20.0
        vllm:inter_token_latency_seconds_count{engine="0",model_name="m"} 20.0
        vllm:inter_token_latency_seconds_sum{engine="0",model_name="m"} 0.3
        # HELP vllm:request_success_total Count of successfully processed requests.
        # TYPE vllm:request_success_total counter
        vllm:request_success_total{engine="0",finished_reason="stop",model_name="m"} 90.0
        vllm:request_success_total{engine="0",finished_reason="length",model_name="m"} 10.0
        """;

    [Fact]
    public void Vllm_v1_steps_scheduled_tokens_and_drafts_per_engine()
    {
        var samples = Read(VllmV1Body, ServerKind.Vllm);
        Assert.Equal(["0", "1"], samples.Select(s => s.Engine));
        Assert.Equal([6000.0, 5000.0], samples.Select(s => s.EngineStepsTotal!.Value)); // iteration_tokens_total_count
        Assert.Equal([60000.0, 49000.0], samples.Select(s => s.ScheduledTokensTotal!.Value)); // iteration_tokens_total_sum
        Assert.Equal([20000.0, 16000.0], samples.Select(s => s.SpecDecodeDraftsTotal!.Value));
    }

    [Fact]
    public void Vllm_v1_computed_prompt_tokens_come_from_local_compute_and_hits_from_cached_total()
    {
        var samples = Read(VllmV1Body, ServerKind.Vllm);
        Assert.Equal([10000.0, 9000.0], samples.Select(s => s.PromptTokensTotal!.Value)); // whole prompts
        Assert.Equal([3000.0, 9000.0], samples.Select(s => s.PromptTokensComputedTotal!.Value)); // source="local_compute"
        Assert.Equal([7000.0, 0.0], samples.Select(s => s.PrefixCacheHitTokensTotal!.Value)); // local + external
    }

    [Fact]
    public void Vllm_v1_without_by_source_subtracts_cached_then_prefix_hits()
    {
        var withCached = Assert.Single(Read("""
            vllm:num_requests_running{engine="0",model_name="m"} 1.0
            vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.1
            vllm:prompt_tokens_total{engine="0",model_name="m"} 10000.0
            vllm:prompt_tokens_cached_total{engine="0",model_name="m"} 7000.0
            vllm:prefix_cache_hits_total{engine="0",model_name="m"} 9000.0
            """, ServerKind.Vllm));
        Assert.Equal(3000, withCached.PromptTokensComputedTotal);
        Assert.Equal(7000, withCached.PrefixCacheHitTokensTotal);

        var hitsOnly = Assert.Single(Read("""
            vllm:num_requests_running{engine="0",model_name="m"} 1.0
            vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.1
            vllm:prompt_tokens_total{engine="0",model_name="m"} 10000.0
            vllm:prefix_cache_queries_total{engine="0",model_name="m"} 10000.0
            vllm:prefix_cache_hits_total{engine="0",model_name="m"} 2500.0
            """, ServerKind.Vllm));
        Assert.Equal(7500, hitsOnly.PromptTokensComputedTotal);
        Assert.Equal(2500, hitsOnly.PrefixCacheHitTokensTotal);

        var oldNames = Assert.Single(Read("""
            vllm:num_requests_running{engine="0",model_name="m"} 1.0
            vllm:gpu_cache_usage_perc{engine="0",model_name="m"} 0.1
            vllm:prompt_tokens_total{engine="0",model_name="m"} 10000.0
            vllm:gpu_prefix_cache_queries_total{engine="0",model_name="m"} 10000.0
            vllm:gpu_prefix_cache_hits_total{engine="0",model_name="m"} 4000.0
            """, ServerKind.Vllm));
        Assert.Equal(6000, oldNames.PromptTokensComputedTotal);
        Assert.Equal(4000, oldNames.PrefixCacheHitTokensTotal);
    }

    [Fact]
    public void Vllm_v1_hits_above_the_prompt_total_leave_computed_null()
    {
        // Prefix-cache hits are recorded per scheduling attempt: a request waiting for KV space can be counted again.
        var s = Assert.Single(Read("""
            vllm:num_requests_running{engine="0",model_name="m"} 1.0
            vllm:kv_cache_usage_perc{engine="0",model_name="m"} 0.1
            vllm:prompt_tokens_total{engine="0",model_name="m"} 1000.0
            vllm:prefix_cache_queries_total{engine="0",model_name="m"} 30000.0
            vllm:prefix_cache_hits_total{engine="0",model_name="m"} 20000.0
            """, ServerKind.Vllm));
        Assert.Null(s.PromptTokensComputedTotal);
        Assert.Equal(1000, s.PromptTokensTotal);
    }

    /// <summary>SGLang with DP attention over two ranks, TP 2 per rank with every scheduler reporting, priority scheduling on.</summary>
    private const string SglangDpBody = """
        # HELP sglang:num_running_reqs The number of running requests.
        # TYPE sglang:num_running_reqs gauge
        sglang:num_running_reqs{dp_rank="0",engine_type="unified",model_name="m",moe_ep_rank="0",pp_rank="0",priority="",tp_rank="0"} 10.0
        sglang:num_running_reqs{dp_rank="0",engine_type="unified",model_name="m",moe_ep_rank="0",pp_rank="0",priority="0",tp_rank="0"} 4.0
        sglang:num_running_reqs{dp_rank="0",engine_type="unified",model_name="m",moe_ep_rank="0",pp_rank="0",priority="1",tp_rank="0"} 6.0
        sglang:num_running_reqs{dp_rank="0",engine_type="unified",model_name="m",moe_ep_rank="1",pp_rank="0",priority="",tp_rank="1"} 10.0
        sglang:num_running_reqs{dp_rank="1",engine_type="unified",model_name="m",moe_ep_rank="2",pp_rank="0",priority="",tp_rank="2"} 12.0
        sglang:num_running_reqs{dp_rank="1",engine_type="unified",model_name="m",moe_ep_rank="3",pp_rank="0",priority="",tp_rank="3"} 12.0
        # HELP sglang:num_queue_reqs The number of requests in the waiting queue.
        # TYPE sglang:num_queue_reqs gauge
        sglang:num_queue_reqs{dp_rank="0",engine_type="unified",model_name="m",moe_ep_rank="0",pp_rank="0",priority="0",tp_rank="0"} 2.0
        sglang:num_queue_reqs{dp_rank="0",engine_type="unified",model_name="m",moe_ep_rank="0",pp_rank="0",priority="1",tp_rank="0"} 3.0
        # HELP sglang:spec_accept_length Mean acceptance length of speculative decoding (accepted drafts + bonus token per forward).
        # TYPE sglang:spec_accept_length gauge
        sglang:spec_accept_length{dp_rank="0",engine_type="unified",model_name="m",moe_ep_rank="0",pp_rank="0",priority="",tp_rank="0"} 2.75
        sglang:spec_accept_length{dp_rank="1",engine_type="unified",model_name="m",moe_ep_rank="2",pp_rank="0",priority="",tp_rank="2"} 0.0
        # HELP sglang:num_retracted_requests_total Total number of retracted requests.
        # TYPE sglang:num_retracted_requests_total counter
        sglang:num_retracted_requests_total{dp_rank="0",engine_type="unified",model_name="m",moe_ep_rank="0",pp_rank="0",priority="",tp_rank="0"} 3.0
        sglang:num_retracted_requests_total{dp_rank="0",engine_type="unified",model_name="m",moe_ep_rank="1",pp_rank="0",priority="",tp_rank="1"} 3.0
        # HELP sglang:realtime_tokens_total Total number of tokens processed (updated on each log interval). mode: prefill_compute, prefill_cache, decode.
        # TYPE sglang:realtime_tokens_total counter
        sglang:realtime_tokens_total{dp_rank="0",engine_type="unified",mode="decode",model_name="m",moe_ep_rank="0",pp_rank="0",priority="",tp_rank="0"} 5000.0
        sglang:realtime_tokens_total{dp_rank="0",engine_type="unified",mode="decode",model_name="m",moe_ep_rank="1",pp_rank="0",priority="",tp_rank="1"} 5000.0
        sglang:realtime_tokens_total{dp_rank="0",engine_type="unified",mode="prefill_compute",model_name="m",moe_ep_rank="0",pp_rank="0",priority="",tp_rank="0"} 800.0
        sglang:realtime_tokens_total{dp_rank="0",engine_type="unified",mode="prefill_cache",model_name="m",moe_ep_rank="0",pp_rank="0",priority="",tp_rank="0"} 200.0
        sglang:realtime_tokens_total{dp_rank="1",engine_type="unified",mode="decode",model_name="m",moe_ep_rank="2",pp_rank="0",priority="",tp_rank="2"} 6000.0
        sglang:realtime_tokens_total{dp_rank="1",engine_type="unified",mode="prefill_compute",model_name="m",moe_ep_rank="2",pp_rank="0",priority="",tp_rank="2"} 900.0
        sglang:realtime_tokens_total{dp_rank="1",engine_type="unified",mode="prefill_cache",model_name="m",moe_ep_rank="2",pp_rank="0",priority="",tp_rank="2"} 100.0
        # HELP sglang:generation_tokens_total Number of generation tokens processed.
        # TYPE sglang:generation_tokens_total counter
        sglang:generation_tokens_total{is_streaming="true",model_name="m"} 9000.0
        sglang:generation_tokens_total{is_streaming="false",model_name="m"} 1000.0
        # HELP sglang:prompt_tokens_total Number of prefill tokens processed.
        # TYPE sglang:prompt_tokens_total counter
        sglang:prompt_tokens_total{is_streaming="true",model_name="m"} 1900.0
        # HELP sglang:inter_token_latency_seconds Histogram of inter-token latency in seconds.
        # TYPE sglang:inter_token_latency_seconds histogram
        sglang:inter_token_latency_seconds_bucket{le="0.01",model_name="m"} 9000.0
        sglang:inter_token_latency_seconds_bucket{le="+Inf",model_name="m"} 10000.0
        sglang:inter_token_latency_seconds_count{model_name="m"} 10000.0
        sglang:inter_token_latency_seconds_sum{model_name="m"} 80.0
        """;

    [Fact]
    public void Sglang_dp_tokenizer_side_series_are_their_own_engine_not_rank_0s()
    {
        var samples = Read(SglangDpBody, ServerKind.Sglang);
        Assert.Equal(["0", "1", SglangAdapter.TokenizerEngine], samples.Select(s => s.Engine));
        Assert.Null(samples[0].InterTokenLatency);
        Assert.Null(samples[1].InterTokenLatency);
        var tokenizer = samples[2];
        Assert.Equal(10000, tokenizer.InterTokenLatency!.Count);
        Assert.Contains("all data-parallel ranks together", tokenizer.InterTokenLatencySource, StringComparison.Ordinal);
        Assert.Null(tokenizer.RunningRequests);

        // The live counters are per rank, so the finish-time tokenizer totals are not added beside them.
        Assert.Null(tokenizer.GenerationTokensTotal);
        Assert.Null(tokenizer.PromptTokensTotal);

        // Summing the engines counts each signal once.
        var all = ServingSampleTotals.Sum(samples)!;
        Assert.Equal(11000, all.GenerationTokensTotal);
        Assert.Equal(10000, all.InterTokenLatency!.Count);
    }

    [Fact]
    public void Sglang_tp_replicas_are_one_engine_and_their_counters_are_not_summed()
    {
        var samples = Read(SglangDpBody, ServerKind.Sglang);
        Assert.Equal(5000, samples[0].GenerationTokensTotal); // tp_rank 0 and 1 both report 5000
        Assert.Equal(3, samples[0].PreemptionsTotal); // num_retracted_requests_total
        Assert.Equal(6000, samples[1].GenerationTokensTotal);
    }

    [Fact]
    public void Sglang_live_prompt_counters_split_computed_and_cached()
    {
        var samples = Read(SglangDpBody, ServerKind.Sglang);
        Assert.Equal([800.0, 900.0], samples.Take(2).Select(s => s.PromptTokensComputedTotal!.Value));
        Assert.Equal([200.0, 100.0], samples.Take(2).Select(s => s.PrefixCacheHitTokensTotal!.Value));
        Assert.Equal([1000.0, 1000.0], samples.Take(2).Select(s => s.PromptTokensTotal!.Value));
    }

    [Fact]
    public void Sglang_priority_total_is_read_not_summed_with_its_breakdown()
    {
        var samples = Read(SglangDpBody, ServerKind.Sglang);
        Assert.Equal(10, samples[0].RunningRequests); // priority="" total, not 10 + 4 + 6
        Assert.Equal(12, samples[1].RunningRequests);
        Assert.Equal(5, samples[0].WaitingRequests); // no total published: the breakdown summed
    }

    [Fact]
    public void Sglang_accept_length_includes_the_bonus_token_and_zero_means_off()
    {
        var samples = Read(SglangDpBody, ServerKind.Sglang);
        Assert.Equal(2.75, samples[0].SpecDecodeEmittedTokensPerStep);
        Assert.Null(samples[1].SpecDecodeEmittedTokensPerStep);
    }

    [Fact]
    public void Sglang_single_engine_keeps_tokenizer_series_and_falls_back_to_finish_time_tokens()
    {
        var s = Assert.Single(Read("""
            sglang:num_running_reqs{engine_type="unified",model_name="m",moe_ep_rank="0",pp_rank="0",tp_rank="0"} 4.0
            sglang:token_usage{engine_type="unified",model_name="m",moe_ep_rank="0",pp_rank="0",tp_rank="0"} 0.2
            sglang:generation_tokens_total{is_streaming="true",model_name="m"} 900.0
            sglang:prompt_tokens_total{is_streaming="true",model_name="m"} 300.0
            sglang:num_retractions_sum{model_name="m"} 2.0
            sglang:num_retractions_count{model_name="m"} 10.0
            sglang:inter_token_latency_seconds_bucket{le="+Inf",model_name="m"} 100.0
            sglang:inter_token_latency_seconds_count{model_name="m"} 100.0
            sglang:inter_token_latency_seconds_sum{model_name="m"} 1.0
            """, ServerKind.Sglang));
        Assert.Equal("0", s.Engine);
        Assert.Equal(900, s.GenerationTokensTotal);
        Assert.Equal(300, s.PromptTokensTotal);
        Assert.Equal(2, s.PreemptionsTotal);
        Assert.Equal(100, s.InterTokenLatency!.Count);
        Assert.Contains("move when requests finish", s.VersionHint, StringComparison.Ordinal);
    }

    [Fact]
    public void Dynamo_running_excludes_the_queued_requests_and_is_never_negative()
    {
        var samples = Read("""
            # TYPE dynamo_frontend_inflight_requests gauge
            dynamo_frontend_inflight_requests{model="a"} 10
            dynamo_frontend_inflight_requests{model="b"} 1
            # TYPE dynamo_frontend_queued_requests gauge
            dynamo_frontend_queued_requests{model="a"} 3
            dynamo_frontend_queued_requests{model="b"} 2
            # TYPE dynamo_frontend_output_tokens_total counter
            dynamo_frontend_output_tokens_total{model="a"} 100
            """, ServerKind.Dynamo);
        Assert.Equal([7.0, 0.0], samples.Select(s => s.RunningRequests!.Value));
        Assert.Equal([3.0, 2.0], samples.Select(s => s.WaitingRequests!.Value));
    }

    [Fact]
    public void Dynamo_custom_prefix_is_detected_by_family_shape()
    {
        var samples = Read("""
            # TYPE nim_llm_inflight_requests gauge
            nim_llm_inflight_requests{model="m"} 5
            # TYPE nim_llm_queued_requests gauge
            nim_llm_queued_requests{model="m"} 1
            # TYPE nim_llm_requests_total counter
            nim_llm_requests_total{endpoint="chat_completions",model="m",request_type="stream",status="success"} 40
            # TYPE nim_llm_output_tokens_total counter
            nim_llm_output_tokens_total{model="m"} 4000
            # TYPE nim_llm_inter_token_latency_seconds histogram
            nim_llm_inter_token_latency_seconds_bucket{model="m",le="0.01"} 3000
            nim_llm_inter_token_latency_seconds_bucket{model="m",le="+Inf"} 3960
            nim_llm_inter_token_latency_seconds_sum{model="m"} 39.6
            nim_llm_inter_token_latency_seconds_count{model="m"} 3960
            """, ServerKind.Dynamo);
        var s = Assert.Single(samples);
        Assert.Equal("prefix nim_llm_ (DYN_METRICS_PREFIX)", s.VersionHint);
        Assert.Equal(4, s.RunningRequests);
        Assert.Equal(4000, s.GenerationTokensTotal);
        Assert.StartsWith("nim_llm_inter_token_latency_seconds:", s.InterTokenLatencySource, StringComparison.Ordinal);
        Assert.Contains("token-weighted", s.InterTokenLatencySource, StringComparison.Ordinal);
    }

    [Fact]
    public void Dynamo_worker_component_metrics_are_not_a_frontend()
    {
        var doc = ExpositionParser.Parse("""
            dynamo_component_inflight_requests{dynamo_component="backend",dynamo_endpoint="generate",dynamo_namespace="ns"} 2
            dynamo_component_requests_total{dynamo_component="backend",dynamo_endpoint="generate",dynamo_namespace="ns"} 20
            """);
        Assert.Equal(0, new DynamoAdapter().Score(doc));
    }

    [Fact]
    public void Triton_static_batcher_context_tokens_and_no_active_as_decode_batch()
    {
        var s = Assert.Single(Read("""
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="active",version="1"} 8
            nv_trt_llm_request_metrics{model="tensorrt_llm",request_type="context",version="1"} 3
            nv_trt_llm_v1_metrics{model="tensorrt_llm",v1_specific_metric="total_context_tokens",version="1"} 900
            nv_trt_llm_v1_metrics{model="tensorrt_llm",v1_specific_metric="total_generation_tokens",version="1"} 5
            nv_trt_llm_kv_cache_block_metrics{kv_cache_block_type="max",model="tensorrt_llm",version="1"} 100
            """, ServerKind.TritonTrtLlm));
        Assert.Null(s.RunningRequests); // active includes the context phase
        Assert.Equal(900, s.PrefillTokensLastStep);
    }

    [Fact]
    public void TrtLlm_older_colon_prefix_is_detected_and_read()
    {
        var s = Assert.Single(Read("""
            # TYPE trtllm:num_active_requests gauge
            trtllm:num_active_requests{engine_type="trtllm",model_name="m"} 3
            # TYPE trtllm:request_success_total counter
            trtllm:request_success_total{engine_type="trtllm",finished_reason="stop",model_name="m"} 7
            # TYPE trtllm:time_per_output_token_seconds histogram
            trtllm:time_per_output_token_seconds_bucket{engine_type="trtllm",le="0.01",model_name="m"} 5
            trtllm:time_per_output_token_seconds_bucket{engine_type="trtllm",le="+Inf",model_name="m"} 7
            trtllm:time_per_output_token_seconds_sum{engine_type="trtllm",model_name="m"} 0.07
            trtllm:time_per_output_token_seconds_count{engine_type="trtllm",model_name="m"} 7
            """, ServerKind.TrtLlm));
        Assert.Equal("trtllm: names (older Dynamo re-export)", s.VersionHint);
        Assert.Equal(3, s.RunningRequests);
        Assert.Equal(7, s.InterTokenLatency!.Count);
        Assert.StartsWith("trtllm:time_per_output_token_seconds:", s.InterTokenLatencySource, StringComparison.Ordinal);
    }

    [Fact]
    public void Tgi_engine_steps_are_the_decode_forwards_only()
    {
        var s = Assert.Single(Read("""
            # TYPE tgi_batch_current_size gauge
            tgi_batch_current_size 16
            # TYPE tgi_queue_size gauge
            tgi_queue_size 0
            # TYPE tgi_batch_forward_duration histogram
            tgi_batch_forward_duration_bucket{method="prefill",le="0.1"} 40
            tgi_batch_forward_duration_bucket{method="prefill",le="+Inf"} 50
            tgi_batch_forward_duration_sum{method="prefill"} 4.5
            tgi_batch_forward_duration_count{method="prefill"} 50
            tgi_batch_forward_duration_bucket{method="decode",le="0.1"} 9990
            tgi_batch_forward_duration_bucket{method="decode",le="+Inf"} 10000
            tgi_batch_forward_duration_sum{method="decode"} 250
            tgi_batch_forward_duration_count{method="decode"} 10000
            """, ServerKind.Tgi));
        Assert.Equal(10000, s.EngineStepsTotal);
        Assert.Equal(10000, s.InterTokenLatency!.Count);
    }
}
