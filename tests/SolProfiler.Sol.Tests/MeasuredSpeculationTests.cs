using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

/// <summary>Speculative decoding as measured: a step's draft positions and tokens emitted given per evaluation (<see cref="StepLoad"/>).</summary>
public class MeasuredSpeculationTests
{
    private static PreparedSol Llama70bTp8(SpeculativeDecoding? spec = null) => Sol.Prepare("llama-3.1-70b", "h200-sxm", tp: 8, speculative: spec);

    [Fact]
    public void Three_drafts_all_accepted_emit_three_tokens_per_verify_step_of_four_positions()
    {
        var sol = Llama70bTp8();
        var spec = sol.Evaluate(16, 2000, new StepLoad(DraftTokens: 3, EmittedTokensPerSequence: 3.0));
        var step = spec.Seconds.Step;
        Assert.Equal(3.0, spec.TokensPerStep);
        Sol.Close(3 / step, spec.TokensPerSecondPerUser, 1e-12);
        Sol.Close(step / 3, spec.SecondsPerOutputToken, 1e-12);
        Sol.Close(16 * 3 / (step * 8), spec.TokensPerSecondPerGpu, 1e-12);

        // The verify step scores 4 positions per sequence: FLOPs and link bytes of 64 decoding sequences, the weights
        // and the cached KV of 16 read once (plus the 3 extra positions' KV writes).
        var four = sol.Evaluate(64, 2000);
        var one = sol.Evaluate(16, 2000);
        Sol.Close(four.FlopsPerGpu, spec.FlopsPerGpu, 1e-12);
        Sol.Close(four.CommBytesPerGpu, spec.CommBytesPerGpu, 1e-12);
        Assert.Equal(one.WeightBytesPerGpu, spec.WeightBytesPerGpu);
        Sol.Close(one.KvBytesPerGpu + (16 * 3 * sol.KvBytesPerToken / 8), spec.KvBytesPerGpu, 1e-12);
        Assert.True(step > one.Seconds.Step, "four positions cost more than one");
    }

    [Fact]
    public void The_measured_speculation_overrides_the_configured_one()
    {
        var configured = Llama70bTp8(new SpeculativeDecoding(3, 2.5));
        var plain = Llama70bTp8();
        var fromConfig = configured.Evaluate(8, 1000);
        var fromLoad = plain.Evaluate(8, 1000, new StepLoad(0, 3, 2.5));
        Assert.Equal(fromConfig.Seconds, fromLoad.Seconds);
        Assert.Equal(fromConfig.TokensPerSecondPerGpu, fromLoad.TokensPerSecondPerGpu);

        // only the acceptance measured: the configured 3 drafts, 1.8 emitted
        var measured = configured.Evaluate(8, 1000, new StepLoad(EmittedTokensPerSequence: 1.8));
        Assert.Equal(fromConfig.Seconds, measured.Seconds);
        Sol.Close(measured.Seconds.Step / 1.8, measured.SecondsPerOutputToken, 1e-12);
        Assert.Equal(1.8, measured.TokensPerStep);
    }

    [Fact]
    public void A_fractional_mean_of_draft_positions_lies_between_its_neighbours()
    {
        var sol = Llama70bTp8();
        var one = sol.Evaluate(8, 1000, new StepLoad(0, 1, 1));
        var two = sol.Evaluate(8, 1000, new StepLoad(0, 2, 1));
        var mean = sol.Evaluate(8, 1000, new StepLoad(0, 1.5, 1));
        Sol.Close((one.FlopsPerGpu + two.FlopsPerGpu) / 2, mean.FlopsPerGpu, 1e-12); // FLOPs are linear in the positions of a dense model
        Assert.InRange(mean.Seconds.Step, one.Seconds.Step, two.Seconds.Step);
    }

    [Theory]
    [InlineData(3.0, 4.5, "emitted tokens per sequence 4.5")]
    [InlineData(3.0, 0.5, "emitted tokens per sequence 0.5")]
    [InlineData(-1.0, 1.0, "draft tokens -1")]
    [InlineData(double.NaN, 1.0, "draft tokens NaN")]
    [InlineData(2.0, double.NaN, "emitted tokens per sequence NaN")]
    public void Impossible_speculation_is_rejected_with_the_value(double draft, double emitted, string message)
    {
        var e = Assert.Throws<SolInputException>(() => Llama70bTp8().Evaluate(8, 1000, new StepLoad(0, draft, emitted)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Emitting_more_than_one_token_without_drafts_is_rejected()
    {
        var e = Assert.Throws<SolInputException>(() => Llama70bTp8().Evaluate(8, 1000, new StepLoad(EmittedTokensPerSequence: 2)));
        Assert.Contains("emitted tokens per sequence 2 must be between 1 and draft tokens + 1 = 1", e.Message, StringComparison.Ordinal);
    }
}
