using SolProfiler.Sol.Modeling;

namespace SolProfiler.Analysis;

/// <summary>
/// Splits measured step − SOL step into causes (DESIGN section 4), from GPU activity over the same window:
/// <list type="bullet">
/// <item>idle: the GPUs ran no kernel, (1 − busy) x step: host and scheduling overhead;</item>
/// <item>communication: collectives run on a small share s of the SMs, GEMMs on nearly all, so the busy time not
/// covered by SM activity, (busy − SM active) x step / (1 − s), is the collectives' time; beyond the SOL's comm
/// time it is exposed communication;</item>
/// <item>extra bytes: DRAM activity x step is the HBM time at peak of the bytes actually moved; above the SOL's
/// weight + KV time (where it sets the phase) it is traffic the SOL does not need;</item>
/// <item>unused bandwidth: the rest of the compute/memory phase, time the kernels ran below peak bandwidth; the share
/// of it in reads with a power or thermal clock-event reason is throttling;</item>
/// <item>unattributed: what is left, so the causes always sum with the SOL to the measured step.</item>
/// </list>
/// Pure; no I/O.
/// </summary>
public static class GapAnalyzer
{
    public static GapResult Analyze(OperatingPoint point, SolResult sol, GapOptions options)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(sol);
        ArgumentNullException.ThrowIfNull(options);
        var measured = point.MeasuredStepSeconds ?? throw new ArgumentException("the operating point has no measured step", nameof(point));
        var s = sol.Seconds;
        var solStep = s.Step;
        var gap = measured - solStep;
        var warnings = new List<string>();
        var efficiency = solStep / measured;
        if (efficiency > 1)
        {
            warnings.Add($"measured step {measured * 1e3:0.###} ms is faster than the SOL {solStep * 1e3:0.###} ms (efficiency {efficiency:0.###}): the configured model, precision, GPU or parallelism is likely wrong");
        }

        GapCauses causes;
        if (gap <= 0)
        {
            causes = new GapCauses(0, 0, 0, 0, 0, gap);
        }
        else if (point.BusyRatio is not { } busyRatio)
        {
            warnings.Add("no GPU activity in the window: the gap is not attributed to causes");
            causes = new GapCauses(0, 0, 0, 0, 0, gap);
        }
        else
        {
            causes = Attribute(point, sol, options, measured, Math.Clamp(busyRatio, 0, 1), warnings);
        }

        return new GapResult
        {
            Efficiency = efficiency,
            MeasuredStepSeconds = measured,
            SolStepSeconds = solStep,
            Causes = causes,
            Warnings = warnings,
        };
    }

    private static GapCauses Attribute(OperatingPoint point, SolResult sol, GapOptions options, double measured, double busy, List<string> warnings)
    {
        var s = sol.Seconds;
        var required = Math.Max(s.Weights + s.Kv, s.Compute);

        // The SOL's own exposed communication: all of it in a serial step; under two-batch overlap only what the
        // other half's memory and compute time could not hide.
        var solComm = sol.Schedule.LeastExposedCommunication(s.Comm, required);
        var idle = (1 - busy) * measured;
        var busyTime = busy * measured;

        // Collectives' time in the busy time, from SM activity; without it, from NVLink bytes beyond the model's.
        double commTime;
        if (point.SmActiveRatio is { } sm)
        {
            commTime = Math.Max(0, (busy - Math.Min(sm, busy)) * measured / (1 - options.CommSmShare));
        }
        else
        {
            commTime = solComm;
            warnings.Add("no SM activity: exposed communication is not separated from the rest of the busy time");
        }

        commTime = Math.Min(commTime, busyTime);
        var phase = busyTime - commTime;

        // Under overlap a phase that runs long hides more of the collectives: the engine's own least exposed
        // communication is measured at its phase, and only what the slow phase shows beyond the SOL is the phase's.
        var communication = Math.Max(0, commTime - sol.Schedule.LeastExposedCommunication(s.Comm, phase));

        // The compute/memory phase: what it would take at peak for the bytes moved, against the SOL's need.
        double extraBytes, atPeak;
        if (point.DramActiveRatio is { } dram)
        {
            atPeak = Math.Max(dram * measured, s.Compute);
            extraBytes = Math.Max(0, atPeak - required);
        }
        else
        {
            atPeak = required;
            extraBytes = 0;
            warnings.Add("no DRAM activity: HBM traffic above the SOL's need is not measured");
        }

        var belowPeak = Math.Max(0, phase - atPeak);
        var shown = sol.Schedule.PhaseExcessShown(s.Comm, phase, required);
        var phaseScale = extraBytes + belowPeak > 0 ? Math.Clamp(shown / (extraBytes + belowPeak), 0, 1) : 0;
        extraBytes *= phaseScale;
        belowPeak *= phaseScale;
        var throttled = Math.Clamp(point.ThrottledRatio ?? 0, 0, 1);
        var parts = new double[] { idle, extraBytes, belowPeak * (1 - throttled), communication, belowPeak * throttled };

        // An energy-bound SOL already includes the slowdown of the power cap: take it out of what the causes claim,
        // throttling first.
        var nonEnergyStep = required + solComm;
        Absorb(parts, Math.Max(0, s.Step - nonEnergyStep), [4, 2, 1, 3, 0]);

        var gap = measured - s.Step;
        var claimed = parts.Sum();
        if (claimed > gap && claimed > 0)
        {
            // The telemetry claims more than the gap (noise, or a SOL component the GPUs beat): scale to the gap.
            var scale = gap / claimed;
            for (var i = 0; i < parts.Length; i++)
            {
                parts[i] *= scale;
            }
        }

        // Rounding must not show as a negative remainder when the gap is positive.
        return new GapCauses(parts[0], parts[1], parts[2], parts[3], parts[4], Math.Max(0, gap - parts.Sum()));
    }

    private static void Absorb(double[] parts, double amount, int[] order)
    {
        foreach (var i in order)
        {
            if (amount <= 0)
            {
                return;
            }

            var take = Math.Min(parts[i], amount);
            parts[i] -= take;
            amount -= take;
        }
    }
}
