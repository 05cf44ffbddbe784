using Microsoft.Extensions.Logging.Abstractions;
using SolProfiler.Demo;
using SolProfiler.Telemetry.Gpu.Nvml;

namespace SolProfiler.Demo.Tests;

[Collection(NativeStandInGroup.Name)]
public sealed class DemoEnvironmentTests
{
    [Fact]
    public async Task Nvml_source_reads_back_what_the_simulation_runs()
    {
        // Short prompts, so that every step carries about the same (tiny) prompt work and the current step stands for the mean.
        var options = new DemoOptions { FixedBatch = 32, PromptTokens = 16, NvmlLibraryPath = NvmlStandIn.LibraryPath };
        await using var demo = await DemoEnvironment.StartAsync(options, NullLoggerFactory.Instance);
        await using var source = new NvmlGpuSource(new NvmlGpuSourceOptions { LibraryPath = demo.NvmlLibraryPath });

        Assert.Equal(new Uri(demo.BaseUrl, "/metrics"), demo.MetricsUrl);
        Assert.EndsWith("/v1", demo.BaseUrl.AbsolutePath, StringComparison.Ordinal);

        // The first read opens NVML and the simulation's first steps start cold (JIT, a fresh test process): let it
        // settle before the interval the averages are compared over.
        await source.ReadAsync();
        await Task.Delay(400);
        var first = await source.ReadAsync();
        await Task.Delay(600);
        var second = await source.ReadAsync();
        var truth = demo.Current;

        Assert.False(second.Down, second.DownReason);
        Assert.Equal(8, second.Gpus.Count);
        foreach (var (a, b) in first.Gpus.Zip(second.Gpus))
        {
            Assert.Equal("NVIDIA H100 80GB HBM3", b.Name);
            Assert.Equal(700.0, b.PowerLimitWatts);
            // At a fixed batch the step barely changes, so the averages over the window match the current step.
            Assert.InRange(b.DramActiveRatio!.Value, truth.DramActiveRatio * 0.9, truth.DramActiveRatio * 1.1);
            Assert.InRange(b.GraphicsActiveRatio!.Value, truth.GraphicsActiveRatio * 0.9, Math.Min(1, truth.GraphicsActiveRatio * 1.1));
            Assert.InRange(b.SmActiveRatio!.Value, truth.SmActiveRatio * 0.9, truth.SmActiveRatio * 1.1);
            Assert.InRange(b.TensorActiveRatio!.Value, truth.TensorActiveRatio * 0.9, truth.TensorActiveRatio * 1.1);
            Assert.Empty(b.ThrottleReasons!);

            var seconds = (b.Timestamp - a.Timestamp).TotalSeconds;
            var watts = (b.EnergyJoules!.Value - a.EnergyJoules!.Value) / seconds;
            Assert.InRange(watts, truth.PowerWatts * 0.8, truth.PowerWatts * 1.2);
            var nvlink = (b.NvlinkTxBytes!.Value - a.NvlinkTxBytes!.Value) / seconds;
            Assert.InRange(nvlink, truth.NvlinkBytesPerSecond * 0.8, truth.NvlinkBytesPerSecond * 1.2);
        }
    }

    [Fact]
    public async Task Missing_stand_in_fails_with_the_build_command()
    {
        var options = new DemoOptions { NvmlLibraryPath = Path.Combine(Path.GetTempPath(), "no-such-dir", "libnvidia-ml.so.1") };

        var e = await Assert.ThrowsAsync<FileNotFoundException>(() => DemoEnvironment.StartAsync(options, NullLoggerFactory.Instance));
        Assert.Contains("cmake -S native -B native/build && cmake --build native/build", e.Message, StringComparison.Ordinal);
    }
}
