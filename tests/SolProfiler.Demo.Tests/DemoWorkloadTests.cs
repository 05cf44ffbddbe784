using SolProfiler.Demo;
using SolProfiler.Sol;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Modeling;
using SolProfiler.Sol.Models;

namespace SolProfiler.Demo.Tests;

public sealed class DemoWorkloadTests
{
    private static readonly GpuSpec H100 = GpuCatalog.BuiltIn.Get("h100-sxm");


    /// <summary>The SOL of the default demo deployment, straight from the SOL model (not through the demo code).</summary>
    private static SolResult Sol(int batch, double context, string model = "llama-3.1-70b", GpuSpec? gpu = null, int tp = 8) =>
        SolModel.Prepare(new SolConfiguration(
            ModelCatalog.BuiltIn.Resolve(model), gpu ?? H100, new Parallelism(tp),
            new PrecisionChoice(Precision.Fp8, null, Precision.Fp8, Precision.Fp8), null)).Evaluate(batch, context);

    [Fact]
    public void Step_adds_the_inefficiencies_to_the_sol_as_documented()
    {
        var options = new DemoOptions();
        var step = new DemoWorkload(options).Step(32, 1536);
        var sol = Sol(32, 1536);

        var bw = H100.MemoryBandwidthBytesPerSecond.Value;
        var need = sol.WeightBytesPerGpu + sol.KvBytesPerGpu;
        var bytes = 1.05 * need;
        var phase = Math.Max(bytes / (0.80 * bw), sol.Seconds.Compute);
        var comm = sol.Seconds.Comm + 0.0008;
        var expectedStep = phase + comm + 0.0015;
        var joules = (sol.Seconds.Energy * (H100.PowerCapWatts.Value - H100.IdlePowerWatts.Value)) + (0.05 * need * 8 * H100.HbmJoulesPerBit.Value);

        Assert.False(step.Throttled);
        Assert.Equal(0UL, step.ClocksEventReasons);
        Assert.Equal(expectedStep, step.StepSeconds, 12);
        Assert.Equal(phase, step.PhaseSeconds, 12);
        Assert.Equal(comm, step.CommunicationSeconds, 12);
        Assert.Equal(bytes, step.HbmBytes, 3);
        Assert.Equal(H100.IdlePowerWatts.Value + (joules / expectedStep), step.PowerWatts, 9);
        Assert.Equal((phase + comm) / expectedStep, step.GraphicsActiveRatio, 12);
        Assert.Equal((phase + (0.15 * comm)) / expectedStep, step.SmActiveRatio, 12);
        Assert.Equal(bytes / bw / expectedStep, step.DramActiveRatio, 12);
        Assert.Equal(sol.Seconds.Compute / expectedStep, step.TensorActiveRatio, 12);
        Assert.Equal(sol.CommBytesPerGpu / expectedStep, step.NvlinkBytesPerSecond, 3);

        Assert.Equal(0.0015, step.Causes.Idle, 15);
        Assert.Equal(0.0008, step.Causes.Communication, 15);
        Assert.Equal(Math.Max(bytes / bw, sol.Seconds.Compute) - Math.Max(need / bw, sol.Seconds.Compute), step.Causes.ExtraBytes, 15);
        Assert.Equal(phase - Math.Max(bytes / bw, sol.Seconds.Compute), step.Causes.UnusedBandwidth, 15);
        Assert.Equal(0, step.Causes.Throttling);
        Assert.Equal(step.StepSeconds, sol.Seconds.Step + step.Causes.Total, 12);
    }

    [Theory]
    [InlineData(1, 1024.0)]
    [InlineData(32, 1536.0)]
    [InlineData(512, 8192.0)]
    public void Without_inefficiencies_the_simulated_step_is_the_sol_step_under_either_schedule(int batch, double context)
    {
        // Full bandwidth, no extra bytes, host, exposed communication: the engine runs exactly the SOL's schedule.
        var perfect = new DemoOptions { HbmEfficiency = 1, ExtraBytesRatio = 0, HostOverheadSeconds = 0, ExposedCommunicationSeconds = 0 };
        var step = new DemoWorkload(perfect).Step(batch, context);
        var sol = Sol(batch, context);

        Assert.Equal(sol.Schedule, step.Sol.Schedule);
        Assert.Equal(sol.Seconds.Step, step.StepSeconds, 12);
        Assert.Equal(0, step.Causes.Total, 12);
    }

    [Fact]
    public void At_large_batch_the_sol_overlaps_and_the_simulated_engine_hides_its_collectives_under_its_phase()
    {
        // Llama 70B FP8 TP8, B = 512 at 8k: the overlapped SOL wins; the engine's phase (80 % of peak, 5 % extra)
        // is longer than the SOL's, so it hides at least as much of the collectives as the SOL does.
        var options = new DemoOptions();
        var step = new DemoWorkload(options).Step(512, 8192);
        var sol = Sol(512, 8192);
        var bw = H100.MemoryBandwidthBytesPerSecond.Value;
        var phase = Math.Max(1.05 * (sol.WeightBytesPerGpu + sol.KvBytesPerGpu) / (0.80 * bw), sol.Seconds.Compute);

        Assert.Equal(SolSchedule.Overlap, sol.Schedule);
        Assert.Equal(phase, step.PhaseSeconds, 12);
        Assert.Equal(Math.Max(0, sol.Seconds.Comm - phase) + 0.0008, step.CommunicationSeconds, 12);
        Assert.Equal(step.StepSeconds, sol.Seconds.Step + step.Causes.Total, 12);
        Assert.Equal(0.0008, step.Causes.Communication, 15);
    }

    [Fact]
    public void A_demo_that_replicates_kv_heads_reads_the_replicated_bytes_and_shows_them_as_extra_bytes()
    {
        // Qwen3-235B-A22B has 4 KV heads: at TP 8 a replicating engine holds each head on two ranks, so it reads
        // twice the KV bytes the batch-partitioned SOL needs. Without other inefficiencies the whole gap is the
        // replicated bytes at peak bandwidth, and it is extra bytes.
        var options = new DemoOptions
        {
            Model = "qwen3-235b-a22b", Tp = 8, ReplicateKvHeads = true,
            HbmEfficiency = 1, ExtraBytesRatio = 0, HostOverheadSeconds = 0, ExposedCommunicationSeconds = 0,
        };
        var step = new DemoWorkload(options).Step(64, 4096);
        var sol = step.Sol;
        var bw = H100.MemoryBandwidthBytesPerSecond.Value;

        Assert.Equal(2 * sol.KvBytesPerGpu, sol.ReplicatedKvBytesPerGpu, 0);
        Assert.Equal(sol.WeightBytesPerGpu + sol.ReplicatedKvBytesPerGpu, step.HbmBytes, 0);
        Assert.True(step.Causes.ExtraBytes > 0, "the replicated KV reads are extra bytes");
        Assert.Equal(step.StepSeconds - sol.Seconds.Step, step.Causes.ExtraBytes, 12);
        Assert.Equal(0, step.Causes.UnusedBandwidth + step.Causes.Idle + step.Causes.Communication + step.Causes.Throttling, 12);

        // Serial and weight-bound here (8.7 ms weights, 0.9 ms KV, 0.2 ms compute): the gap is exactly the second
        // copy of the KV at peak bandwidth.
        Assert.Equal(SolSchedule.Serial, sol.Schedule);
        Assert.Equal(SolBound.Weights, sol.Bound);
        Assert.Equal(sol.KvBytesPerGpu / bw, step.Causes.ExtraBytes, 12);
    }

    [Theory]
    [InlineData(1, 0)]
    [InlineData(8, 1024)]
    [InlineData(128, 1536)]
    [InlineData(512, 8192)]
    public void Causes_and_sol_add_up_to_the_step_and_none_is_negative(int batch, double context)
    {
        var step = new DemoWorkload(new DemoOptions()).Step(batch, context);
        var c = step.Causes;

        Assert.All(new[] { c.Idle, c.Communication, c.ExtraBytes, c.UnusedBandwidth, c.Throttling }, v => Assert.True(v >= 0, $"cause {v} < 0"));
        Assert.Equal(step.StepSeconds, step.Sol.Seconds.Step + c.Total, 12);
        Assert.InRange(step.Sol.Seconds.Step / step.StepSeconds, 0.01, 1.0);
    }

    [Fact]
    public void Power_cap_stretches_the_step_and_marks_sw_power_cap()
    {
        // Llama 3.1 8B on one B200 at B = 4096, no host, communication or HBM overheads: the dynamic energy of a step
        // outruns the power budget (the SOL itself is energy-bound there).
        var b200 = GpuCatalog.BuiltIn.Get("b200");
        var options = new DemoOptions
        {
            Gpu = "b200", Model = "llama-3.1-8b", Tp = 1, MaxBatch = 4096,
            HostOverheadSeconds = 0, ExposedCommunicationSeconds = 0, HbmEfficiency = 1, ExtraBytesRatio = 0,
        };
        var step = new DemoWorkload(options).Step(4096, 512);
        var sol = Sol(4096, 512, "llama-3.1-8b", b200, tp: 1);
        var unthrottled = Math.Max((sol.WeightBytesPerGpu + sol.KvBytesPerGpu) / b200.MemoryBandwidthBytesPerSecond.Value, sol.Seconds.Compute) + sol.Seconds.Comm;
        var expectedStep = sol.Seconds.Energy; // E / (cap - idle), and without extra bytes E = t_energy (cap - idle)

        Assert.True(step.Throttled);
        Assert.Equal(expectedStep, step.StepSeconds, 12);
        Assert.Equal(expectedStep - unthrottled, step.ThrottleSeconds, 12);
        Assert.Equal(b200.PowerCapWatts.Value, step.PowerWatts, 6);
        Assert.Equal(DemoWorkload.SwPowerCapBit, step.ClocksEventReasons);
        Assert.Equal(1.0, step.GraphicsActiveRatio, 12);
        // The SOL step already holds the power limit, so no seconds are left to blame on throttling.
        Assert.Equal(0, step.Causes.Total, 12);
        Assert.Equal(step.StepSeconds, sol.Seconds.Step + step.Causes.Total, 12);
    }

    [Fact]
    public void Kv_capacity_is_hbm_left_after_weights_times_point_nine_in_16_token_blocks()
    {
        var workload = new DemoWorkload(new DemoOptions());
        var probe = Sol(1, 1024);
        var perToken = probe.ResidentKvBytesPerGpu / 1024;
        var expected = (long)Math.Floor((probe.MemoryBytesPerGpu - probe.ResidentWeightBytesPerGpu) * 0.9 / perToken / 16);

        Assert.Equal(expected, workload.KvCacheBlocks);
        Assert.Equal(perToken, workload.KvBytesPerTokenPerGpu, 9);
    }

    [Theory]
    [InlineData("tp", "tp 0 must be between 1 and 16")]
    [InlineData("efficiency", "hbm efficiency 1.5 must be in (0, 1]")]
    [InlineData("batch", "max batch 2 must be >= min batch 4")]
    [InlineData("weights", "'fp7' is not a weight precision")]
    public void Bad_options_fail_naming_the_option(string which, string message)
    {
        var options = which switch
        {
            "tp" => new DemoOptions { Tp = 0 },
            "efficiency" => new DemoOptions { HbmEfficiency = 1.5 },
            "batch" => new DemoOptions { MinBatch = 4, MaxBatch = 2 },
            _ => new DemoOptions { Weights = "fp7" },
        };

        var e = Assert.ThrowsAny<SolInputException>(() => new DemoWorkload(options));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_sim_backends_gpus_follow_the_demos_model_over_the_load_cycle()
    {
        // sim is the demo's GPU model without its server: the activity of one decode step of the cycle's batch.
        var workload = new DemoWorkload(new DemoOptions { CyclePeriod = TimeSpan.FromMinutes(1) });

        var smallest = SimulatedGpus.ActivityAt(workload, 0);    // the cycle starts at MinBatch (1)
        var largest = SimulatedGpus.ActivityAt(workload, 30);    // and peaks half-way at MaxBatch (128)
        var step = workload.Step(128, 1024 + 256);

        Assert.Equal(step.PowerWatts, largest.PowerWatts, 9);
        Assert.Equal(step.DramActiveRatio, largest.DramActiveRatio, 9);
        Assert.True(largest.PowerWatts > smallest.PowerWatts, $"{largest.PowerWatts} W at batch 128 vs {smallest.PowerWatts} W at batch 1");
        Assert.True(largest.TensorActiveRatio > smallest.TensorActiveRatio);
    }
}
