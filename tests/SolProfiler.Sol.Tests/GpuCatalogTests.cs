using System.Text.Json.Nodes;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

public class GpuCatalogTests
{
    [Fact]
    public void Every_required_GPU_is_in_the_catalog()
    {
        string[] required = ["a100-sxm-80gb", "h100-sxm", "h100-pcie", "h100-nvl", "h200-sxm", "b200", "gb200", "b300", "mi300x", "mi325x", "l40s",
            "h800-sxm", "a100-sxm-40gb", "mi355x", "gb300", "h20", "l4", "rtx-pro-6000"];
        Assert.Empty(required.Except(GpuCatalog.BuiltIn.Ids));
    }

    [Fact]
    public void Every_number_has_a_source_and_peaks_have_energy_costs()
    {
        foreach (var g in GpuCatalog.BuiltIn.All)
        {
            SourcedValue[] values = [g.MemoryBytes, g.MemoryBandwidthBytesPerSecond, g.LinkBandwidthBytesPerSecondPerDirection, g.CollectiveLatencySeconds,
                g.ScaleUpDomainSize, g.PowerCapWatts, g.IdlePowerWatts, g.HbmJoulesPerBit, g.LinkJoulesPerBit, .. g.PeakFlopsPerSecond.Values, .. g.JoulesPerFlop.Values];
            Assert.All(values, v => Assert.False(string.IsNullOrWhiteSpace(v.Source), g.Id));
            Assert.Equal(g.PeakFlopsPerSecond.Keys.Order(), g.JoulesPerFlop.Keys.Order());
            Assert.True(g.PowerCapWatts.Value > g.IdlePowerWatts.Value, g.Id);
            Assert.NotEmpty(g.DeviceNamePatterns);
        }
    }

    [Fact]
    public void Peaks_are_dense_not_sparse()
    {
        // NVIDIA's H100 SXM datasheet: 1,979 TFLOP/s BF16 "with sparsity"; dense is half.
        Assert.Equal(989e12, Sol.Gpu("h100-sxm").PeakFlopsPerSecond[MathPrecision.Bf16].Value, 2e12);
        Assert.Equal(3.35e12, Sol.Gpu("h100-sxm").MemoryBandwidthBytesPerSecond.Value, 0.01e12);
    }

    [Theory]
    [InlineData("NVIDIA H100 80GB HBM3", "h100-sxm")]
    [InlineData("NVIDIA H100 PCIe", "h100-pcie")]
    [InlineData("NVIDIA H100 NVL", "h100-nvl")]
    [InlineData("NVIDIA H200", "h200-sxm")]
    [InlineData("NVIDIA B200", "b200")]
    [InlineData("NVIDIA GB200", "gb200")]
    [InlineData("NVIDIA A100-SXM4-80GB", "a100-sxm-80gb")]
    [InlineData("NVIDIA L40S", "l40s")]
    [InlineData("AMD Instinct MI300X", "mi300x")]
    [InlineData("NVIDIA H800", "h800-sxm")]
    [InlineData("NVIDIA A100-SXM4-40GB", "a100-sxm-40gb")]
    [InlineData("NVIDIA H20", "h20")]
    [InlineData("NVIDIA L4", "l4")]
    [InlineData("NVIDIA RTX PRO 6000 Blackwell Server Edition", "rtx-pro-6000")]
    [InlineData("AMD Instinct MI355X", "mi355x")]
    [InlineData("NVIDIA GB300", "gb300")]
    public void Device_names_map_to_one_catalog_GPU(string deviceName, string id)
    {
        Assert.Equal(id, GpuCatalog.BuiltIn.DetectByDeviceName(deviceName)?.Id);
    }

    [Fact]
    public void A_user_entry_overrides_only_what_it_names()
    {
        var builtIn = Sol.Gpu("h100-sxm");
        var doc = JsonNode.Parse("""{"gpus":[{"id":"h100-sxm","memoryBandwidthBytesPerSecond":3.0e12,"scaleUp":{"collectiveLatencySeconds":{"value":2e-6,"source":"our NCCL test"}}}]}""")!;
        var g = GpuCatalog.BuiltIn.WithOverrides(doc, "mine.json").Get("h100-sxm");
        Assert.Equal(3.0e12, g.MemoryBandwidthBytesPerSecond.Value);
        Assert.Equal("user file mine.json", g.MemoryBandwidthBytesPerSecond.Source);
        Assert.Equal("our NCCL test", g.CollectiveLatencySeconds.Source);
        Assert.Equal(builtIn.LinkBandwidthBytesPerSecondPerDirection, g.LinkBandwidthBytesPerSecondPerDirection);
        Assert.Equal(builtIn.PeakFlopsPerSecond[MathPrecision.Bf16], g.PeakFlopsPerSecond[MathPrecision.Bf16]);
        Assert.Equal(3.35e12, GpuCatalog.BuiltIn.Get("h100-sxm").MemoryBandwidthBytesPerSecond.Value, 0.01e12); // built-in untouched
    }

    [Fact]
    public void A_new_GPU_must_be_complete_and_errors_name_the_key()
    {
        var doc = JsonNode.Parse("""{"id":"my-gpu","name":"X","vendor":"Y","deviceNamePatterns":["X"],"memoryBytes":1e11}""")!;
        var e = Assert.Throws<SolInputException>(() => GpuCatalog.BuiltIn.WithOverrides(doc, "gpus.json"));
        Assert.Contains("gpus.json", e.Message, StringComparison.Ordinal);
        Assert.Contains("'memoryBandwidthBytesPerSecond'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_negative_value_is_refused()
    {
        var doc = JsonNode.Parse("""{"id":"h100-sxm","powerCapWatts":-5}""")!;
        var e = Assert.Throws<SolInputException>(() => GpuCatalog.BuiltIn.WithOverrides(doc, "gpus.json"));
        Assert.Contains("'powerCapWatts'", e.Message, StringComparison.Ordinal);
    }
}
