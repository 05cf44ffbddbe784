using SolProfiler.Demo.StandIn;
using System.Runtime.InteropServices;
using System.Text.Json.Nodes;
using SolProfiler.Telemetry.Gpu.Nvml;

namespace SolProfiler.Cli.Tests;

/// <summary>
/// <c>solprof gpus</c> through the real P/Invoke path on the native NVML stand-in (built by .ci/run or
/// <c>cmake -S native -B native/build &amp;&amp; cmake --build native/build</c>), and on a dcgm-exporter capture.
/// </summary>
[Collection(NativeStandIn.Collection)]
public sealed class GpusCommandTests
{
    [Fact]
    public async Task The_sim_backend_shows_eight_H100s_whose_readings_move()
    {
        var run = await Cli.Run("gpus", "--gpu-backend", "sim", "--gpu-library", NativeStandIn.NvmlPath, "--watch", "400ms", "--count", "3", "--format", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        // JSON Lines: one read per line, each with its time, in order
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        var snapshots = lines.Select(l => JsonNode.Parse(l)!).ToList();
        var times = snapshots.Select(s => DateTimeOffset.Parse((string)s["timestamp"]!, System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.True(times[0] < times[1] && times[1] < times[2], string.Join(", ", times));
        foreach (var s in snapshots)
        {
            Assert.Equal("sim", (string?)s["backend"]);
            var gpus = s["gpus"]!.AsArray();
            Assert.Equal(8, gpus.Count);
            Assert.All(gpus, g => Assert.Equal("h100-sxm", (string?)g!["catalogId"]));
        }

        // energy is a counter and the simulated decode draws power: it must rise between reads
        var energy = snapshots.Select(s => (double)s["gpus"]![0]!["energyJoules"]!).ToArray();
        Assert.True(energy[2] > energy[0], string.Join(", ", energy));
        // the demo's GPU model sets the readings (one simulator for sim and --demo): a decode step between idle and the
        // cap; the GPM ratios (DRAM, tensor) come from the second read on, as on a real Hopper
        var last = snapshots[^1]["gpus"]![0]!;
        Assert.InRange((double)last["powerWatts"]!, 60, (double)last["powerLimitWatts"]!);
        Assert.InRange((double)last["dramActiveRatio"]!, 0.01, 1);
        Assert.InRange((double)last["tensorActiveRatio"]!, 0.0001, 1);
    }

    [Fact]
    public async Task Auto_on_a_machine_without_NVIDIA_libraries_says_so()
    {
        if (NativeLibrary.TryLoad("libnvidia-ml.so.1", out var handle))
        {
            NativeLibrary.Free(handle);
            return; // a machine with a driver: auto picks NVML, covered on GPU machines
        }

        var run = await Cli.Run("gpus", "--gpu-backend", "auto");
        Assert.Equal(1, run.ExitCode);
        Assert.Contains("no NVIDIA library found", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("libnvidia-ml.so.1", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dcgm_exporter_capture_prints_the_contract()
    {
        using var temp = new TempFolder();
        var path = temp.Write("dcgm.prom", """
            # TYPE DCGM_FI_DEV_POWER_USAGE gauge
            DCGM_FI_DEV_POWER_USAGE{gpu="0",UUID="GPU-1",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA H200",Hostname="n1"} 512.000000
            # TYPE DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION counter
            DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION{gpu="0",UUID="GPU-1",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA H200",Hostname="n1"} 5000
            # TYPE DCGM_FI_PROF_DRAM_ACTIVE gauge
            DCGM_FI_PROF_DRAM_ACTIVE{gpu="0",UUID="GPU-1",pci_bus_id="00000000:18:00.0",device="nvidia0",modelName="NVIDIA H200",Hostname="n1"} 0.750000

            """);
        var run = await Cli.Run("gpus", "--gpu-backend", "dcgm-exporter", "--dcgm-exporter-file", path, "--format", "json");
        Assert.True(run.ExitCode == 0, run.ToString());
        var doc = JsonNode.Parse(run.Stdout)!;
        Assert.Equal("dcgm-exporter", (string?)doc["backend"]);
        var gpu = doc["gpus"]![0]!;
        Assert.Equal(0, (int)gpu["index"]!);
        Assert.Equal("GPU-1", (string?)gpu["uuid"]);
        Assert.Equal("h200-sxm", (string?)gpu["catalogId"]);
        Assert.Equal(512, (double)gpu["powerWatts"]!);
        Assert.Equal(5, (double)gpu["energyJoules"]!);   // 5,000 mJ
        Assert.Equal(0.75, (double)gpu["dramActiveRatio"]!);
        Assert.Null(gpu["smClockHz"]);                   // absent, never zero
        Assert.Contains("smClockHz", doc["missingFields"]!.AsArray().Select(x => (string?)x));

        // the catalog GPU's fabric: the algorithms the SOL's all-reduce is the least over, and the NIC beyond the domain
        var fabric = doc["catalog"]![0]!;
        Assert.Equal("h200-sxm", (string?)fabric["id"]);
        Assert.Equal(["ring", "one-shot", "in-switch"], fabric["collectiveAlgorithms"]!.AsArray().Select(x => (string?)x));
        Assert.Contains("NVLS", (string?)fabric["inSwitchReduction"], StringComparison.Ordinal);
        Assert.Equal(5e10, (double)fabric["scaleOut"]!["bandwidthBytesPerSecondPerDirection"]!);
    }

    [Theory]
    [InlineData("gpus", "--gpu-backend", "rocm")]
    [InlineData("gpus", "--gpu-backend", "dcgm-exporter")]
    [InlineData("gpus", "--gpu-backend", "dcgm-exporter", "--dcgm-exporter-file", "/nonexistent.prom")]
    [InlineData("gpus", "--gpu-backend", "sim", "--gpu-library", "/nonexistent/libnvidia-ml.so.1")]
    [InlineData("gpus", "--watch", "often")]
    public async Task Bad_arguments_are_user_errors(params string[] args)
    {
        var run = await Cli.Run(args);
        Assert.Equal(2, run.ExitCode);
        Assert.StartsWith("error: ", run.Stderr, StringComparison.Ordinal);
    }
}

/// <summary>Where the native stand-ins are; tests on them share one process-wide library, so they run one at a time.</summary>
[CollectionDefinition(Collection, DisableParallelization = true)]
public static class NativeStandIn
{
    public const string Collection = "native stand-in";

    public static string NvmlPath =>
        NvmlStandInControl.FindBuilt(AppContext.BaseDirectory)
        ?? Environment.GetEnvironmentVariable("SOLPROF_NVML_LIBRARY") // builds with --artifacts-path outside the repository
        ?? throw new InvalidOperationException("the NVML stand-in is not built: run `cmake -S native -B native/build && cmake --build native/build` (as .ci/run does)");
}
