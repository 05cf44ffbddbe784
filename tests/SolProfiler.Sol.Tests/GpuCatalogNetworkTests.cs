using System.Text.Json.Nodes;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

/// <summary>The catalog's collective algorithms and scale-out networks, the entries added with them, and their reader's errors.</summary>
public class GpuCatalogNetworkTests
{
    [Fact]
    public void Every_built_in_entry_names_its_algorithms_and_scale_out_with_sources()
    {
        foreach (var g in GpuCatalog.BuiltIn.All)
        {
            Assert.True(g.ScaleUpAlgorithms.ContainsKey(CollectiveAlgorithm.Ring), g.Id);
            Assert.All(g.ScaleUpAlgorithms.Values, s => Assert.False(string.IsNullOrWhiteSpace(s) || s.StartsWith("user file", StringComparison.Ordinal), g.Id));
            Assert.Equal(g.ScaleUpAlgorithms.ContainsKey(CollectiveAlgorithm.InSwitch), g.InSwitchReductionName is not null);
            var net = Assert.IsType<ScaleOutNetwork>(g.ScaleOut);
            Assert.False(string.IsNullOrWhiteSpace(net.Name), g.Id);
            Assert.False(string.IsNullOrWhiteSpace(net.BandwidthBytesPerSecondPerDirection.Source), g.Id);
            Assert.False(string.IsNullOrWhiteSpace(net.LatencySeconds.Source), g.Id);
            Assert.InRange(net.BandwidthBytesPerSecondPerDirection.Value, 1e10, 2e11); // 100-1,600 Gb/s per GPU
            Assert.InRange(net.LatencySeconds.Value, 5e-7, 2e-5);
        }
    }

    [Theory]
    [InlineData("h100-sxm", true, true, 5e10)]
    [InlineData("h200-sxm", true, true, 5e10)]
    [InlineData("b200", true, true, 5e10)]
    [InlineData("b300", true, true, 1e11)]
    [InlineData("gb200", true, true, 5e10)]
    [InlineData("gb300", true, true, 1e11)]
    [InlineData("a100-sxm-80gb", true, false, 2.5e10)] // NVSwitch gen 2 has no SHARP
    [InlineData("a100-sxm-40gb", true, false, 2.5e10)]
    [InlineData("h100-pcie", true, false, 5e10)]
    [InlineData("h100-nvl", true, false, 5e10)]
    [InlineData("l40s", true, false, 3.2e10)]
    [InlineData("mi300x", true, false, 5e10)]
    [InlineData("mi355x", true, false, 5e10)]
    [InlineData("h800-sxm", true, true, 5e10)]
    public void Fabrics_run_the_algorithms_their_switches_have(string id, bool oneShot, bool inSwitch, double nicBytesPerSecond)
    {
        var g = Sol.Gpu(id);
        Assert.Equal(oneShot, g.ScaleUpAlgorithms.ContainsKey(CollectiveAlgorithm.OneShot));
        Assert.Equal(inSwitch, g.ScaleUpAlgorithms.ContainsKey(CollectiveAlgorithm.InSwitch));
        Assert.Equal(nicBytesPerSecond, g.ScaleOut!.BandwidthBytesPerSecondPerDirection.Value);
    }

    [Fact]
    public void In_switch_names_say_what_reduces()
    {
        Assert.Contains("NVLS", Sol.Gpu("h100-sxm").InSwitchReductionName, StringComparison.Ordinal);
        Assert.Contains("gen 4", Sol.Gpu("b200").InSwitchReductionName, StringComparison.Ordinal);
        Assert.Equal(72, Sol.Gpu("gb300").ScaleUpDomainSize.Value);
    }

    [Fact]
    public void B200_takes_the_8_TB_per_second_figure_and_notes_the_HGX_part()
    {
        var bw = Sol.Gpu("b200").MemoryBandwidthBytesPerSecond;
        Assert.Equal(8.0e12, bw.Value);
        Assert.Contains("7.7 TB/s", bw.Note, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("h800-sxm", 3.35e12, 9.894e14, 2e11)]
    [InlineData("a100-sxm-40gb", 1.555e12, 3.12e14, 3e11)]
    [InlineData("h20", 4.0e12, 1.48e14, 4.5e11)]
    [InlineData("l4", 3.0e11, 1.21e14, 3.2e10)]
    [InlineData("rtx-pro-6000", 1.792e12, 5.0e14, 6.4e10)]
    [InlineData("mi355x", 8.0e12, 2.5166e15, 4.48e11)]
    [InlineData("gb300", 8.0e12, 2.5e15, 9e11)]
    public void New_entries_carry_their_datasheet_numbers(string id, double hbm, double bf16, double link)
    {
        var g = Sol.Gpu(id);
        Assert.Equal(hbm, g.MemoryBandwidthBytesPerSecond.Value);
        Assert.Equal(bf16, g.PeakFlopsPerSecond[MathPrecision.Bf16].Value);
        Assert.Equal(link, g.LinkBandwidthBytesPerSecondPerDirection.Value);
    }

    [Fact]
    public void FP4_peaks_of_the_new_Blackwell_and_CDNA_4_parts_are_dense()
    {
        Assert.Equal(1.5e16, Sol.Gpu("gb300").PeakFlopsPerSecond[MathPrecision.Fp4].Value);     // 15 PF dense
        Assert.Equal(1.00663e16, Sol.Gpu("mi355x").PeakFlopsPerSecond[MathPrecision.Fp4].Value); // AMD's 20.1 PF is sparse
        Assert.Equal(2.0e15, Sol.Gpu("rtx-pro-6000").PeakFlopsPerSecond[MathPrecision.Fp4].Value);
        Assert.False(Sol.Gpu("gb300").PeakFlopsPerSecond.ContainsKey(MathPrecision.Int8)); // Blackwell Ultra cut INT8
    }

    [Fact]
    public void A_user_file_without_algorithms_or_scale_out_is_ring_only_with_no_network()
    {
        var g = GpuCatalog.BuiltIn.WithOverrides(JsonNode.Parse(NewGpu())!, "mine.json").Get("my-gpu");
        Assert.Equal([CollectiveAlgorithm.Ring], g.ScaleUpAlgorithms.Keys);
        Assert.Equal("user file mine.json", g.ScaleUpAlgorithms[CollectiveAlgorithm.Ring]);
        Assert.Null(g.InSwitchReductionName);
        Assert.Null(g.ScaleOut);
    }

    [Fact]
    public void A_user_file_may_give_plain_numbers_for_its_scale_out_and_name_an_in_switch_reduction()
    {
        var doc = NewGpu(""""
            "scaleOut": {"name": "2x 400G", "bandwidthBytesPerSecondPerDirection": 1e11, "latencySeconds": 2e-6},
            """", """, "algorithms": {"ring": {}, "inSwitch": {"name": "my SHARP"}}""");
        var g = GpuCatalog.BuiltIn.WithOverrides(JsonNode.Parse(doc)!, "mine.json").Get("my-gpu");
        Assert.Equal(1e11, g.ScaleOut!.BandwidthBytesPerSecondPerDirection.Value);
        Assert.Equal(2e-6, g.ScaleOut.LatencySeconds.Value);
        Assert.Equal("user file mine.json", g.ScaleOut.LatencySeconds.Source);
        Assert.Equal("my SHARP", g.InSwitchReductionName);
        Assert.False(g.ScaleUpAlgorithms.ContainsKey(CollectiveAlgorithm.OneShot));
    }

    [Fact]
    public void A_user_override_can_switch_off_an_algorithm_the_catalog_entry_has()
    {
        var doc = JsonNode.Parse("""{"id": "h800-sxm", "scaleUp": {"algorithms": {"inSwitch": false}}}""")!;
        var g = GpuCatalog.BuiltIn.WithOverrides(doc, "no-nvls.json").Get("h800-sxm");
        Assert.False(g.ScaleUpAlgorithms.ContainsKey(CollectiveAlgorithm.InSwitch));
        Assert.True(g.ScaleUpAlgorithms.ContainsKey(CollectiveAlgorithm.OneShot));
        Assert.Null(g.InSwitchReductionName);
    }

    [Theory]
    [InlineData("""{"id": "h100-sxm", "scaleUp": {"algorithms": {"tree": {"source": "x"}}}}""", "'scaleUp.algorithms.tree'")]
    [InlineData("""{"id": "h100-sxm", "scaleUp": {"algorithms": {"ring": false}}}""", "'scaleUp.algorithms.ring'")]
    [InlineData("""{"id": "h100-sxm", "scaleUp": {"algorithms": {"oneShot": 1}}}""", "'scaleUp.algorithms.oneShot'")]
    [InlineData("""{"id": "h100-sxm", "scaleUp": {"algorithms": ["ring"]}}""", "'scaleUp.algorithms'")]
    [InlineData("""{"id": "h100-sxm", "scaleOut": {"bandwidthBytesPerSecondPerDirection": 0}}""", "'scaleOut.bandwidthBytesPerSecondPerDirection'")]
    [InlineData("""{"id": "h100-sxm", "scaleOut": {"latencySeconds": -1e-6}}""", "'scaleOut.latencySeconds'")]
    [InlineData("""{"id": "h100-sxm", "scaleOut": {"name": ""}}""", "'scaleOut.name'")]
    [InlineData("""{"id": "h100-sxm", "scaleOut": 400}""", "'scaleOut'")]
    public void Bad_algorithms_and_networks_name_the_file_the_GPU_and_the_key(string json, string key)
    {
        var e = Assert.Throws<SolInputException>(() => GpuCatalog.BuiltIn.WithOverrides(JsonNode.Parse(json)!, "gpus.json"));
        Assert.Contains("gpus.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("'h100-sxm'", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("""{"oneShot": {}}""", "'scaleUp.algorithms.ring'")]
    [InlineData("""{"ring": {}, "inSwitch": {"source": "our switch"}}""", "'scaleUp.algorithms.inSwitch'")]
    public void A_new_user_GPU_needs_ring_and_a_named_in_switch_reduction(string algorithms, string key)
    {
        var doc = NewGpu(algorithms: $", \"algorithms\": {algorithms}");
        var e = Assert.Throws<SolInputException>(() => GpuCatalog.BuiltIn.WithOverrides(JsonNode.Parse(doc)!, "gpus.json"));
        Assert.Contains("gpus.json: GPU 'my-gpu'", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("algorithms", "'scaleUp.algorithms'")]
    [InlineData("scaleOut", "'scaleOut'")]
    [InlineData("oneShotSource", "'scaleUp.algorithms.oneShot'")]
    [InlineData("latencySource", "'scaleOut.latencySeconds'")]
    public void A_catalog_entry_must_source_its_algorithms_and_network(string removed, string key)
    {
        var entry = GpuCatalog.ReadResource(typeof(GpuCatalog).Assembly, "catalog/Gpus/h100-sxm.json");
        var scaleUp = entry["scaleUp"]!.AsObject();
        _ = removed switch
        {
            "algorithms" => scaleUp.Remove("algorithms"),
            "scaleOut" => entry.Remove("scaleOut"),
            "oneShotSource" => scaleUp["algorithms"]!["oneShot"]!.AsObject().Remove("source"),
            _ => entry["scaleOut"]!["latencySeconds"]!.AsObject().Remove("source"),
        };
        var e = Assert.Throws<SolInputException>(() => GpuSpecReader.Read(entry, "built-in catalog/Gpus/h100-sxm.json", requireSources: true));
        Assert.Contains("built-in catalog/Gpus/h100-sxm.json: GPU 'h100-sxm'", e.Message, StringComparison.Ordinal);
        Assert.Contains(key, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_CPU_like_device_with_only_fp32_peaks_evaluates_fp32_weights()
    {
        var doc = NewGpu(peaks: """{"fp32": 1e12}""", joules: """{"fp32": 20}""");
        var cpu = GpuCatalog.BuiltIn.WithOverrides(JsonNode.Parse(doc)!, "cpu.json").Get("my-gpu");
        Assert.Equal([MathPrecision.Fp32], cpu.PeakFlopsPerSecond.Keys);
        Assert.Equal(20e-12, cpu.JoulesPerFlop[MathPrecision.Fp32].Value, 1e-20);

        var sol = SolModel.Prepare(new SolConfiguration(Sol.Model("llama-3.1-8b"), cpu, new Parallelism(1, 1, 1, 1), new PrecisionChoice(Weights: Precision.Fp32)));
        Assert.Equal(Precision.Fp32, sol.Precisions.Weights);
        Assert.Equal(Precision.Fp32, sol.Precisions.Activations);
        Assert.All(new[] { sol.Peaks.Linear, sol.Peaks.Attention, sol.Peaks.Head }, p => Assert.Equal(MathPrecision.Fp32, p.Math));

        // Batch 1 is weight-bound: 4 bytes per parameter over 100 GB/s.
        var r = sol.Evaluate(1, 1024);
        Assert.Equal(SolBound.Weights, r.Bound);
        Assert.InRange(r.WeightBytesPerGpu, 4 * 7.0e9, 4 * 8.1e9);
        Sol.Close(r.WeightBytesPerGpu / 1e11, r.Seconds.Weights, 1e-9);
    }

    /// <summary>A complete user GPU with plain numbers: 100 GB/s memory, no NVLink, no network unless the caller adds one.</summary>
    private static string NewGpu(string extra = "", string algorithms = "", string peaks = """{"bf16": 1e14}""", string joules = """{"bf16": 1}""") => $$$"""
        {"id": "my-gpu", "name": "mine", "vendor": "me", "deviceNamePatterns": ["^mine$"], {{{extra}}}
         "memoryBytes": 1e11, "memoryBandwidthBytesPerSecond": 1e11, "peakFlopsPerSecond": {{{peaks}}},
         "scaleUp": {"name": "none", "bandwidthBytesPerSecondPerDirection": 1e9, "collectiveLatencySeconds": 0, "domainSize": 1{{{algorithms}}}},
         "powerCapWatts": 100, "idlePowerWatts": 10,
         "energy": {"hbmPicojoulesPerBit": 10, "linkPicojoulesPerBit": 10, "picojoulesPerFlop": {{{joules}}}}}
        """;
}
