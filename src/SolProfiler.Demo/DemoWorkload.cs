using SolProfiler.Sol;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Modeling;
using SolProfiler.Sol.Models;

namespace SolProfiler.Demo;

/// <summary>
/// The simulated server's physics (pure, no I/O): a decode step as the SOL model's step plus the inefficiencies of
/// <see cref="DemoOptions"/>, and the telemetry one GPU would show during it. Units: seconds, bytes, watts, joules.
/// </summary>
/// <remarks>
/// With need = SOL weight + KV bytes, bytes = (1 + extra) (weights + KV read), the KV read being the SOL's or, with
/// <see cref="DemoOptions.ReplicateKvHeads"/>, the replicated layout's; BW the peak HBM bandwidth, eta the HBM
/// efficiency: phase = max(bytes / (eta BW), t_compute); comm = the communication the SOL's schedule leaves exposed
/// next to that phase (all of t_comm when serial, max(0, t_comm - phase) under overlap) + exposed; busy = phase +
/// comm; step = busy + host. Dynamic energy per step E = t_energy (cap - idle) + (bytes - need) x 8 x HBM J/bit;
/// power = idle + E / step. When
/// that exceeds the cap the clocks drop: the busy part stretches until power = cap (step = host + busy', with
/// E / (cap - idle) = step), reason sw_power_cap. HBM clocks are taken as unaffected, so DRAM activity is bytes / BW
/// over the step, while graphics, SM and tensor activity stretch with the busy time.
/// </remarks>
public sealed class DemoWorkload
{
    /// <summary>vLLM's default KV block size in tokens.</summary>
    public const int KvBlockTokens = 16;

    /// <summary>vLLM's default gpu_memory_utilization: the share of free HBM the KV cache may take.</summary>
    public const double KvMemoryShare = 0.9;

    /// <summary>NVML's clocks-event-reason bit for a software power cap.</summary>
    public const ulong SwPowerCapBit = 0x4;

    private readonly double _bandwidth;
    private readonly double _cap;
    private readonly double _idle;
    private readonly double _hbmJoulesPerBit;

    public DemoWorkload(DemoOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        Options = options;
        Model = ModelCatalog.BuiltIn.Resolve(options.Model);
        Gpu = GpuCatalog.BuiltIn.Get(options.Gpu);
        var precisions = new PrecisionChoice(
            PrecisionRoles.Parse(options.Weights, PrecisionRole.Weights),
            null,
            PrecisionRoles.Parse(options.Kv, PrecisionRole.Kv),
            PrecisionRoles.Parse(options.Activations, PrecisionRole.Activations));
        Sol = SolModel.Prepare(new SolConfiguration(Model, Gpu, new Parallelism(options.Tp), precisions, null));
        _bandwidth = Gpu.MemoryBandwidthBytesPerSecond.Value;
        _cap = Gpu.PowerCapWatts.Value;
        _idle = Gpu.IdlePowerWatts.Value;
        _hbmJoulesPerBit = Gpu.HbmJoulesPerBit.Value;

        // KV bytes one token of one sequence keeps on one GPU, from the SOL's own resident-KV accounting.
        const int probeContext = 1024;
        var probe = Sol.Evaluate(1, probeContext);
        KvBytesPerTokenPerGpu = probe.ResidentKvBytesPerGpu / probeContext;
        var free = (probe.MemoryBytesPerGpu - probe.ResidentWeightBytesPerGpu) * KvMemoryShare;
        if (free <= 0 || KvBytesPerTokenPerGpu <= 0)
        {
            throw new SolInputException($"demo: {Model.Id} does not fit on {options.Tp} x {Gpu.Id} (no HBM left for the KV cache)");
        }

        KvCacheBlocks = (long)Math.Floor(free / KvBytesPerTokenPerGpu / KvBlockTokens);
    }

    public DemoOptions Options { get; }

    public ModelArchitecture Model { get; }

    public GpuSpec Gpu { get; }

    public PreparedSol Sol { get; }

    public double KvBytesPerTokenPerGpu { get; }

    /// <summary>KV-cache capacity in blocks of <see cref="KvBlockTokens"/> tokens (vLLM's num_gpu_blocks).</summary>
    public long KvCacheBlocks { get; }

    /// <summary>
    /// One engine step of <paramref name="batch"/> decoding sequences at a mean context of <paramref name="meanContext"/>
    /// tokens, with <paramref name="prefillTokens"/> prompt tokens computed in the same step and, under speculative
    /// decoding, the verify step's drafts. A step that only computes prompts (no sequence decoding yet) is costed as
    /// a batch of one: the SOL model's smallest step.
    /// </summary>
    public DemoStep Step(int batch, double meanContext, double prefillTokens = 0)
    {
        var o = Options;
        var load = o.DraftTokens > 0
            ? new StepLoad(prefillTokens, o.DraftTokens, 1 + o.MeanAcceptedTokens)
            : new StepLoad(prefillTokens);
        var sol = Sol.Evaluate(Math.Max(1, batch), meanContext, load);
        var need = sol.WeightBytesPerGpu + sol.KvBytesPerGpu;

        // A replicating engine reads each KV head on every rank that holds it: bytes the SOL does not need.
        var kvRead = o.ReplicateKvHeads ? sol.ReplicatedKvBytesPerGpu : sol.KvBytesPerGpu;
        var bytes = (1 + o.ExtraBytesRatio) * (sol.WeightBytesPerGpu + kvRead);
        var compute = sol.Seconds.Compute;
        var phase = Math.Max(bytes / (o.HbmEfficiency * _bandwidth), compute);

        // The engine runs the schedule the SOL chose: under overlap its collectives hide under the other micro-batch's
        // phase as far as that phase lasts; the options' exposed communication is always on the critical path.
        var comm = sol.Schedule.LeastExposedCommunication(sol.Seconds.Comm, phase) + o.ExposedCommunicationSeconds;
        var busy = phase + comm;
        var unthrottled = busy + o.HostOverheadSeconds;

        var dynamicJoules = (sol.Seconds.Energy * (_cap - _idle)) + ((bytes - need) * 8 * _hbmJoulesPerBit);
        var step = unthrottled;
        var throttle = 0.0;
        if (_idle + (dynamicJoules / unthrottled) > _cap)
        {
            step = dynamicJoules / (_cap - _idle);
            throttle = step - unthrottled;
        }

        var stretch = (busy + throttle) / busy;
        var power = _idle + (dynamicJoules / step);
        return new DemoStep
        {
            Batch = batch,
            MeanContext = meanContext,
            PrefillTokens = prefillTokens,
            Sol = sol,
            StepSeconds = step,
            PhaseSeconds = phase,
            CommunicationSeconds = comm,
            BusySeconds = busy + throttle,
            HbmBytes = bytes,
            PowerWatts = power,
            EnergyJoules = power * step,
            Throttled = throttle > 0,
            ThrottleSeconds = throttle,
            ClocksEventReasons = throttle > 0 ? SwPowerCapBit : 0,
            GraphicsActiveRatio = (busy + throttle) / step,
            SmActiveRatio = stretch * (phase + (o.CommSmShare * comm)) / step,
            DramActiveRatio = bytes / _bandwidth / step,
            TensorActiveRatio = stretch * compute / step,
            NvlinkBytesPerSecond = sol.CommBytesPerGpu / step,
            Causes = Causes(sol, need, bytes, phase, throttle),
        };
    }

    private DemoGapCauses Causes(SolResult sol, double need, double bytes, double phase, double throttle)
    {
        var o = Options;
        var compute = sol.Seconds.Compute;
        var atPeak = Math.Max(bytes / _bandwidth, compute);
        var required = Math.Max(need / _bandwidth, compute);

        // Under overlap a slow phase first uses up the slack the collectives left: only what shows beyond the SOL's
        // own exposed communication is the phase's cost, shared between its two causes in proportion.
        var solComm = sol.Schedule.LeastExposedCommunication(sol.Seconds.Comm, required);
        var shown = sol.Schedule.PhaseExcessShown(sol.Seconds.Comm, phase, required);
        var scale = phase > required ? shown / (phase - required) : 0;
        Span<double> causes = stackalloc double[5];
        causes[0] = throttle;
        causes[1] = scale * (phase - atPeak);
        causes[2] = scale * (atPeak - required);
        causes[3] = o.ExposedCommunicationSeconds;
        causes[4] = o.HostOverheadSeconds;

        // The causes add to step - roofline. When the SOL itself is energy-bound, its step already holds
        // (t_energy - roofline) of that: take it out of the causes, power-related first, so they sum to step - SOL.
        var roofline = required + solComm;
        var energyExcess = Math.Max(0, sol.Seconds.Step - roofline);
        for (var i = 0; i < causes.Length && energyExcess > 0; i++)
        {
            var taken = Math.Min(causes[i], energyExcess);
            causes[i] -= taken;
            energyExcess -= taken;
        }

        return new DemoGapCauses(Idle: causes[4], Communication: causes[3], ExtraBytes: causes[2], UnusedBandwidth: causes[1], Throttling: causes[0]);
    }
}
