using System.Globalization;
using System.Text.Json.Nodes;
using SolProfiler.Sol.Hardware;

namespace SolProfiler.Cli.Tests;

/// <summary><c>--gpu-file</c>: JSON or YAML that overrides catalog GPUs or adds new ones.</summary>
public class GpuFileTests
{
    [Fact]
    public async Task A_yaml_override_of_memory_bandwidth_scales_the_weight_time()
    {
        var builtIn = GpuCatalog.BuiltIn.Get("h100-sxm").MemoryBandwidthBytesPerSecond.Value;
        var half = builtIn / 2;
        using var temp = new TempFolder();
        var path = temp.Write("slow-hbm.yaml", $"""
            # Same H100, half the HBM bandwidth.
            id: h100-sxm
            memoryBandwidthBytesPerSecond: {half.ToString("R", CultureInfo.InvariantCulture)}
            """);
        string[] args = ["sol", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--batch", "1", "--context", "4096"];
        var normal = await Cli.Json(args);
        var slow = await Cli.Json([.. args, "--gpu-file", path]);

        Assert.Equal("weights", Cli.Str(normal, "bound"));
        Cli.Close(2 * Cli.Num(normal, "seconds.weights"), Cli.Num(slow, "seconds.weights"), 1e-12, "seconds.weights");
        Cli.Close(2 * Cli.Num(normal, "seconds.kv"), Cli.Num(slow, "seconds.kv"), 1e-12, "seconds.kv");
        Assert.Equal(Cli.Num(normal, "seconds.compute"), Cli.Num(slow, "seconds.compute"));
        Assert.Equal(Cli.Num(normal, "weightBytesPerGpu"), Cli.Num(slow, "weightBytesPerGpu"));
        JsonOutputTests.AssertContract(Assert.IsType<JsonObject>(slow));
    }

    [Fact]
    public async Task A_json_gpu_file_adds_a_new_gpu()
    {
        const double bandwidth = 5.0e12;
        const double bf16Peak = 1.2e15;
        var gpu = new JsonObject
        {
            ["id"] = "test-accelerator",
            ["name"] = "Test Accelerator",
            ["vendor"] = "Tests",
            ["deviceNamePatterns"] = new JsonArray("Test Accelerator"),
            ["memoryBytes"] = 144e9,
            ["memoryBandwidthBytesPerSecond"] = bandwidth,
            ["peakFlopsPerSecond"] = new JsonObject { ["bf16"] = bf16Peak, ["fp8"] = 2 * bf16Peak },
            ["scaleUp"] = new JsonObject
            {
                ["name"] = "TestLink",
                ["bandwidthBytesPerSecondPerDirection"] = 4.5e11,
                ["collectiveLatencySeconds"] = 3e-6,
                ["domainSize"] = 8,
            },
            ["powerCapWatts"] = 1000,
            ["idlePowerWatts"] = 150,
            ["energy"] = new JsonObject
            {
                ["hbmPicojoulesPerBit"] = 4.0,
                ["linkPicojoulesPerBit"] = 5.0,
                ["picojoulesPerFlop"] = new JsonObject { ["bf16"] = 0.5, ["fp8"] = 0.25 },
            },
        };
        using var temp = new TempFolder();
        var path = temp.Write("gpus.json", new JsonObject { ["gpus"] = new JsonArray(gpu) }.ToJsonString());

        var points = await Cli.JsonArray("sol", "--model", "llama-3.1-8b", "--gpu", "test-accelerator", "--gpu-file", path, "--batch", "1,256", "--context", "4096");
        Assert.All(points, p =>
        {
            JsonOutputTests.AssertContract(p);
            Assert.Equal("test-accelerator", Cli.Str(p, "gpu"));
            // One GPU, one stage: the component times are the per-GPU work over the file's rates.
            Cli.Close(Cli.Num(p, "weightBytesPerGpu") / bandwidth, Cli.Num(p, "seconds.weights"), 1e-12, "seconds.weights");
            Cli.Close(Cli.Num(p, "kvBytesPerGpu") / bandwidth, Cli.Num(p, "seconds.kv"), 1e-12, "seconds.kv");
            Cli.Close(Cli.Num(p, "flopsPerGpu") / bf16Peak, Cli.Num(p, "seconds.compute"), 1e-12, "seconds.compute");
        });

        // The built-in catalog is untouched by the file.
        var unknown = await Cli.Run("sol", "--model", "llama-3.1-8b", "--gpu", "test-accelerator", "--batch", "1", "--context", "4096");
        ErrorTests.AssertUserError(unknown, "test-accelerator");
    }
}
