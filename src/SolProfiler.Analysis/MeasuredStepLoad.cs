using SolProfiler.Sol;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Analysis;

/// <summary>
/// The step the server ran, as the SOL takes it: the measured prompt tokens per step and, where the server showed
/// speculative decoding, the measured draft and emitted tokens (DESIGN section 4: the SOL of the step the server ran).
/// One definition for the agent's windows and the sweep's levels.
/// </summary>
public static class MeasuredStepLoad
{
    /// <summary>
    /// The load of <paramref name="point"/>; a load the model refuses (counters that contradict each other) is dropped
    /// with a warning, never a NaN.
    /// </summary>
    public static StepLoad From(OperatingPoint point, PreparedSol sol, ICollection<string> warnings)
    {
        ArgumentNullException.ThrowIfNull(point);
        ArgumentNullException.ThrowIfNull(sol);
        ArgumentNullException.ThrowIfNull(warnings);
        var speculative = point.SpeculationSource is { } source && source != "none";
        var load = new StepLoad(
            point.PrefillTokensPerStep ?? 0,
            speculative ? point.DraftTokensPerStep : null,
            speculative ? point.EmittedTokensPerStep : null);
        try
        {
            _ = sol.Evaluate(1, point.ContextTokens ?? 0, load);
        }
        catch (SolInputException e)
        {
            warnings.Add("measured step load dropped (the SOL is for a decode-only step): " + e.Message);
            return default;
        }

        return load.PrefillTokens > 0 ? CheckPrefill(point, sol, load, warnings) : load;
    }

    /// <summary>
    /// The prompt tokens per step are counted over every engine step, the step time only over the steps its signal
    /// timed. Where the prompts ran in steps it did not time (clients in lock step: a step in which nobody decodes is
    /// not in vLLM's inter-token histogram), charging them to the timed steps would put the SOL above a measured step
    /// that the decode-only SOL stays below: that P is shown to be misplaced and is left out, with a warning. A step
    /// faster than even the decode-only SOL is left alone: it says the configuration is wrong, and must show.
    /// </summary>
    private static StepLoad CheckPrefill(OperatingPoint point, PreparedSol sol, StepLoad load, ICollection<string> warnings)
    {
        if (point is not { Batch: > 0 and var batch, ContextTokens: { } context, MeasuredStepSeconds: > 0 and var measured })
        {
            return load;
        }

        var mixed = FractionalBatch.Evaluate(sol, batch, context, load).Seconds.Step;
        if (mixed <= measured)
        {
            return load;
        }

        var withoutPrompts = load with { PrefillTokens = 0 };
        if (FractionalBatch.Evaluate(sol, batch, context, withoutPrompts).Seconds.Step > measured)
        {
            return load;
        }

        warnings.Add($"prompt tokens per step ({load.PrefillTokens:0.#}) left out of the SOL: with them the SOL step ({mixed * 1e3:0.###} ms) exceeds the measured step ({measured * 1e3:0.###} ms), so the prompts ran in steps the step signal did not time (clients in lock step?)");
        return withoutPrompts;
    }
}
