using SolProfiler.Analysis;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Modeling;
using SolProfiler.Sol.Models;

namespace SolProfiler.Analysis.Tests;

/// <summary>The step load the SOL is evaluated with: the measured prompt tokens and speculation, checked against the timed steps.</summary>
public sealed class MeasuredStepLoadTests
{
    private static readonly PreparedSol Llama70bTp8 = SolModel.Prepare(new SolConfiguration(
        ModelCatalog.BuiltIn.Get("llama-3.1-70b"), GpuCatalog.BuiltIn.Get("h100-sxm"), new Parallelism(8),
        new PrecisionChoice(PrecisionRoles.Parse("fp8", PrecisionRole.Weights), null, PrecisionRoles.Parse("fp8", PrecisionRole.Kv), PrecisionRoles.Parse("fp8", PrecisionRole.Activations)), null));

    private static OperatingPoint Point(double stepSeconds, double prefill, string speculation = "none", double draft = 0, double emitted = 1) => new()
    {
        WindowStart = default,
        WindowEnd = default,
        Batch = 4,
        ContextTokens = 4096,
        MeasuredStepSeconds = stepSeconds,
        PrefillTokensPerStep = prefill,
        SpeculationSource = speculation,
        DraftTokensPerStep = draft,
        EmittedTokensPerStep = emitted,
    };

    [Fact]
    public void Prompt_tokens_that_fit_the_measured_step_are_kept()
    {
        var warnings = new List<string>();
        var decodeOnly = Llama70bTp8.Evaluate(4, 4096).Seconds.Step;

        var load = MeasuredStepLoad.From(Point(decodeOnly * 3, 64), Llama70bTp8, warnings);

        Assert.Equal(64, load.PrefillTokens);
        Assert.Null(load.DraftTokens);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Prompt_tokens_that_would_put_the_sol_above_a_step_the_decode_only_sol_fits_are_left_out_with_a_warning()
    {
        // ~960 prompt tokens per engine step, but the timed steps only decoded (3.6 ms decode-only SOL, 4 ms measured).
        var warnings = new List<string>();
        var decodeOnly = Llama70bTp8.Evaluate(4, 4096).Seconds.Step;

        var load = MeasuredStepLoad.From(Point(decodeOnly * 1.1, 960), Llama70bTp8, warnings);

        Assert.Equal(0, load.PrefillTokens);
        Assert.Contains("left out of the SOL", Assert.Single(warnings), StringComparison.Ordinal);
    }

    [Fact]
    public void A_step_faster_than_even_the_decode_only_sol_keeps_its_load_so_that_the_wrong_configuration_shows()
    {
        var warnings = new List<string>();
        var decodeOnly = Llama70bTp8.Evaluate(4, 4096).Seconds.Step;

        var load = MeasuredStepLoad.From(Point(decodeOnly * 0.5, 960), Llama70bTp8, warnings);

        Assert.Equal(960, load.PrefillTokens);
        Assert.Empty(warnings);
    }

    [Fact]
    public void Measured_speculation_is_passed_and_a_contradicting_one_is_dropped()
    {
        var warnings = new List<string>();
        var ok = MeasuredStepLoad.From(Point(0.02, 0, "speculative-counters", 3, 2.5), Llama70bTp8, warnings);
        Assert.Equal((3.0, 2.5), (ok.DraftTokens!.Value, ok.EmittedTokensPerSequence!.Value));

        var bad = MeasuredStepLoad.From(Point(0.02, 0, "speculative-counters", 1, 3.5), Llama70bTp8, warnings);
        Assert.Equal(default, bad);
        Assert.Contains("measured step load dropped", Assert.Single(warnings), StringComparison.Ordinal);
    }
}
