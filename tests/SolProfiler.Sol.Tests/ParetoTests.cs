using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

public class ParetoTests
{
    [Fact]
    public void Powers_of_two_cover_the_range()
    {
        Assert.Equal([1, 2, 4, 8, 16], ParetoFrontier.PowersOfTwo(1, 16));
        Assert.Equal([3, 4, 8, 10], ParetoFrontier.PowersOfTwo(3, 10));
        Assert.Throws<SolInputException>(() => ParetoFrontier.PowersOfTwo(8, 2));
    }

    [Fact]
    public void The_SOL_curve_trades_interactivity_for_throughput()
    {
        var points = ParetoFrontier.Sweep(Sol.Prepare("llama-3.1-70b", "h100-sxm", tp: 8), ParetoFrontier.PowersOfTwo(1, 256), 2048);
        for (var i = 1; i < points.Count; i++)
        {
            Assert.True(points[i].TokensPerSecondPerUser < points[i - 1].TokensPerSecondPerUser);
            Assert.True(points[i].TokensPerSecondPerGpu > points[i - 1].TokensPerSecondPerGpu);
        }

        Assert.Equal(points.Count, ParetoFrontier.NonDominated(points).Count);
    }

    [Fact]
    public void Dominated_points_are_dropped()
    {
        ParetoPoint[] points = [new(1, 1, 100, 10, true), new(2, 1, 90, 5, true), new(4, 1, 50, 40, true), new(8, 2, 120, 12, true)];
        var frontier = ParetoFrontier.NonDominated(points);
        Assert.Equal([4, 8], frontier.Select(p => p.Batch));
    }
}
