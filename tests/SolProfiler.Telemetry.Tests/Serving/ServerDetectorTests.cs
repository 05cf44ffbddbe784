using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Serving.Adapters;

namespace SolProfiler.Telemetry.Tests.Serving;

public sealed class ServerDetectorTests
{
    private static readonly DateTimeOffset At = new(2026, 1, 15, 12, 0, 0, TimeSpan.Zero);

    [Theory]
    [InlineData("vllm-v1/metrics.prom", ServerKind.Vllm)]
    [InlineData("vllm-v0/metrics.prom", ServerKind.VllmV0)]
    [InlineData("nim/metrics.prom", ServerKind.Nim)]
    [InlineData("sglang/metrics.prom", ServerKind.Sglang)]
    [InlineData("sglang/metrics-v0.4.prom", ServerKind.Sglang)]
    [InlineData("tgi/metrics.prom", ServerKind.Tgi)]
    [InlineData("trtllm/metrics.prom", ServerKind.TrtLlm)]
    [InlineData("triton-trtllm/metrics.prom", ServerKind.TritonTrtLlm)]
    [InlineData("llamacpp/metrics.prom", ServerKind.LlamaCpp)]
    [InlineData("llamacpp/metrics-2024.prom", ServerKind.LlamaCpp)]
    [InlineData("llamacpp/capture-idle-fresh.prom", ServerKind.LlamaCpp)]
    [InlineData("llamacpp/capture-load-c4-curl.prom", ServerKind.LlamaCpp)]
    [InlineData("dynamo/metrics.prom", ServerKind.Dynamo)]
    public void Detects_each_fixture(string fixture, ServerKind expected)
    {
        var doc = FixtureFiles.Load(fixture);
        var (kind, adapter, families) = ServerDetector.Detect(doc);
        Assert.Equal(expected, kind);
        Assert.Equal(expected, adapter!.Kind);
        Assert.NotEmpty(families);

        // The winner scores strictly above every other adapter (vLLM V1/v0 share names, but each fixture has its own markers).
        var others = ServerDetector.All.Where(a => a.Kind != expected).Select(a => a.Score(doc));
        Assert.All(others, s => Assert.True(s < adapter.Score(doc)));
    }

    [Fact]
    public void Forced_kind_wins_over_the_scores()
    {
        var doc = FixtureFiles.Load("vllm-v0/metrics.prom");
        var (kind, adapter, _) = ServerDetector.Detect(doc, ServerKind.Vllm);
        Assert.Equal(ServerKind.Vllm, kind);
        Assert.IsType<VllmAdapter>(adapter);

        var s = Assert.Single(adapter.Read(doc, At));
        Assert.Equal(ServerKind.Vllm, s.Server);
        Assert.Equal("v1 engine, pre-0.9 names", s.VersionHint);
        Assert.Equal(0.27, s.KvCacheUsageRatio); // falls back to gpu_cache_usage_perc
        Assert.StartsWith("vllm:time_per_output_token_seconds:", s.InterTokenLatencySource, StringComparison.Ordinal);
    }

    [Fact]
    public void Forced_kind_that_does_not_match_reads_nothing()
    {
        var doc = FixtureFiles.Load("tgi/metrics.prom");
        var (kind, adapter, _) = ServerDetector.Detect(doc, ServerKind.TritonTrtLlm);
        Assert.Equal(ServerKind.TritonTrtLlm, kind);
        Assert.NotNull(adapter);
        Assert.Empty(adapter.Read(doc, At));
    }

    [Fact]
    public void Forced_unknown_is_ignored()
    {
        var doc = FixtureFiles.Load("tgi/metrics.prom");
        Assert.Equal(ServerKind.Tgi, ServerDetector.Detect(doc, ServerKind.Unknown).Kind);
    }

    [Fact]
    public void Unrelated_exposition_is_unknown_with_families_listed()
    {
        var doc = FixtureFiles.Load("unrelated/node-exporter.prom");
        var (kind, adapter, families) = ServerDetector.Detect(doc);
        Assert.Equal(ServerKind.Unknown, kind);
        Assert.Null(adapter);
        Assert.Equal(["go_", "node_", "process_", "promhttp_", "up"], families);
    }

    [Fact]
    public void Families_seen_are_bounded()
    {
        var text = string.Join('\n', Enumerable.Range(0, 40).Select(i => $"fam{i:D2}_x 1"));
        var families = ServerDetector.Detect(ExpositionParser.Parse(text)).FamiliesSeen;
        Assert.Equal(ServerDetector.MaxFamiliesListed + 1, families.Count);
        Assert.Equal("fam00_", families[0]);
        Assert.Equal("... (16 more)", families[^1]);
    }

    [Fact]
    public void Vllm_v1_wins_a_tie_with_v0()
    {
        // Only the names both engine generations publish (0.8-0.10 overlap).
        var doc = ExpositionParser.Parse("""
            vllm:num_requests_running{model_name="m"} 1
            vllm:num_requests_waiting{model_name="m"} 0
            vllm:gpu_cache_usage_perc{model_name="m"} 0.5
            """);
        Assert.Equal(ServerDetector.All.Single(a => a.Kind == ServerKind.Vllm).Score(doc), ServerDetector.All.Single(a => a.Kind == ServerKind.VllmV0).Score(doc));
        Assert.Equal(ServerKind.Vllm, ServerDetector.Detect(doc).Kind);
    }

    [Fact]
    public void Vllm_prefix_is_listed_in_families()
    {
        var doc = FixtureFiles.Load("vllm-v1/metrics.prom");
        var families = ServerDetector.Detect(doc).FamiliesSeen;
        Assert.Equal(["process_", "python_", "vllm:"], families);
    }

    [Fact]
    public void All_has_one_adapter_per_known_kind()
    {
        var kinds = ServerDetector.All.Select(a => a.Kind).ToList();
        Assert.Equal(kinds.Count, kinds.Distinct().Count());
        Assert.Equal(Enum.GetValues<ServerKind>().Where(k => k != ServerKind.Unknown).Order(), kinds.Order());
    }
}
