using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

/// <summary>
/// A point's warnings are formatted when read, not when the point is evaluated: the list reads as the eager one did,
/// its count is known without the text, and a point with nothing to add hands back the configuration's own list.
/// </summary>
public class PointWarningListTests
{
    [Fact]
    public void A_point_that_does_not_fit_lists_the_configuration_warnings_then_its_own_with_the_figures()
    {
        var list = new PointWarningList(["configuration warning"], batch: 3, fits: false, neededBytes: 123.45e9, memoryBytes: 80e9, pp: 4, attentionDp: 2);

        Assert.Equal(4, list.Count);
        Assert.Equal(
            [
                "configuration warning",
                "does not fit: needs 123.5 GB per GPU of 80.0 GB (weights plus KV at this batch and context)",
                "batch 3 < PP 4: pipeline stages sit idle part of each step",
                "batch 3 does not spread evenly over 2 attention-DP groups; the fullest group sets the step",
            ],
            list);
        Assert.Equal(list[1], list.ToArray()[1]);
        Assert.Same(list[2], list[2]); // formatted once
    }

    [Theory]
    [InlineData(8, true, 1, 1, false)]
    [InlineData(8, false, 1, 1, true)]
    [InlineData(1, true, 2, 1, true)]
    [InlineData(6, true, 1, 4, true)]
    [InlineData(8, true, 1, 4, false)]
    public void A_point_adds_warnings_only_where_one_applies(int batch, bool fits, int pp, int attentionDp, bool applies) =>
        Assert.Equal(applies, PointWarningList.Applies(batch, fits, pp, attentionDp));

    [Fact]
    public void A_point_that_fits_shares_the_configurations_warnings_and_one_that_does_not_says_so()
    {
        var sol = Sol.Prepare("llama-3.1-8b", "h100-sxm");
        var fits = sol.Evaluate(8, 1024);
        var tooBig = sol.Evaluate(100_000, 8192);

        Assert.Same(sol.Evaluate(16, 1024).Warnings, fits.Warnings);
        Assert.False(tooBig.Fits);
        Assert.Equal(fits.Warnings.Count + 1, tooBig.Warnings.Count);
        Assert.StartsWith("does not fit: needs ", tooBig.Warnings[^1], StringComparison.Ordinal);
    }
}
