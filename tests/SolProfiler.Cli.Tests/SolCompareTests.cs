using System.Globalization;
using System.Text.Json.Nodes;
using SkiaSharp;

namespace SolProfiler.Cli.Tests;

/// <summary><c>solprof sol --compare results.json</c>: a sweep laid over the SOL frontier, its configuration taken from the sweep.</summary>
public class SolCompareTests
{
    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "report", name);

    [Fact]
    public async Task Each_level_gets_the_SOL_at_its_operating_point_and_on_the_frontier_at_its_interactivity()
    {
        var json = await Cli.Json("sol", "--compare", Fixture("sweep.json"));
        var sweep = JsonNode.Parse(File.ReadAllText(Fixture("sweep.json")))!;

        Assert.Equal("solprof-sol-compare", Cli.Str(json, "kind"));
        Assert.Empty(json["differences"]!.AsArray()); // the SOL is for the sweep's own configuration
        var frontier = json["frontier"]!.AsArray();
        Assert.Equal(1, Cli.Num(frontier[0], "batch"));
        // powers of two, at least up to twice the highest concurrency, and on until the frontier is slower per user
        // than the slowest level, so every level has the frontier above it
        var sweepLevels = sweep["levels"]!.AsArray();
        var highest = sweepLevels.Max(l => Cli.Num(l, "concurrency"));
        var slowest = sweepLevels.Where(l => l!["tokensPerSecondPerUser"] is not null).Min(l => Cli.Num(l, "tokensPerSecondPerUser"));
        Assert.All(frontier.Zip(frontier.Skip(1)), p => Assert.Equal(2 * Cli.Num(p.First, "batch"), Cli.Num(p.Second, "batch")));
        Assert.True(Cli.Num(frontier[^1], "batch") >= 2 * highest);
        Assert.True(Cli.Num(frontier[^1], "tokensPerSecondPerUser") <= slowest && Cli.Num(frontier[^2], "tokensPerSecondPerUser") > slowest);
        Assert.All(frontier, p => Assert.Equal("llama-3.1-70b", Cli.Str(p, "model")));
        Assert.All(frontier, p => Assert.Equal(8, Cli.Num(p, "tp")));
        // the sweep's own client context: prompt plus half the output
        var clientContext = Cli.Num(sweep, "settings.inputTokens") + (Cli.Num(sweep, "settings.outputTokens") / 2);
        Assert.All(frontier, p => Assert.Equal(clientContext, Cli.Num(p, "context")));
        var levels = json["levels"]!.AsArray();
        Assert.Equal(sweep["levels"]!.AsArray().Count, levels.Count);
        foreach (var level in levels.Where(l => Cli.Num(l, "completed") > 0))
        {
            // The SOL step at the level's batch and context is what `solprof sol` gives there (between the two integer batches).
            var batch = Cli.Num(level, "batch");
            var context = Cli.Num(level, "contextTokens").ToString("R", CultureInfo.InvariantCulture);
            var below = await Cli.Json("sol", "-m", "llama-3.1-70b", "-g", "h100-sxm", "--tp", "8", "--weights", "fp8", "--kv", "fp8", "--activations", "fp8",
                "--batch", Math.Max(1, Math.Floor(batch)).ToString(CultureInfo.InvariantCulture), "--context", context);
            var above = await Cli.Json("sol", "-m", "llama-3.1-70b", "-g", "h100-sxm", "--tp", "8", "--weights", "fp8", "--kv", "fp8", "--activations", "fp8",
                "--batch", Math.Ceiling(batch).ToString(CultureInfo.InvariantCulture), "--context", context);
            var solStep = Cli.Num(level, "solSecondsPerOutputToken");
            Assert.InRange(solStep, Cli.Num(below, "secondsPerOutputToken") - 1e-15, Cli.Num(above, "secondsPerOutputToken") + 1e-15);
            Assert.Equal(solStep / Cli.Num(level, "measuredStepSeconds"), Cli.Num(level, "efficiency"), 12);

            // The frontier's tokens/s/GPU at the measured tokens/s/user lies between the frontier points around it.
            var user = Cli.Num(level, "tokensPerSecondPerUser");
            var atUser = Cli.Num(level, "solTokensPerSecondPerGpuAtMeasuredInteractivity");
            var faster = frontier.Where(p => Cli.Num(p, "tokensPerSecondPerUser") >= user).Select(p => Cli.Num(p, "tokensPerSecondPerGpu")).DefaultIfEmpty(0).Max();
            Assert.True(atUser >= faster, $"{atUser} below the frontier point {faster} at a higher interactivity");
            Assert.Equal(Cli.Num(level, "tokensPerSecondPerGpu") / atUser, Cli.Num(level, "paretoGapRatio"), 12);
            Assert.InRange(Cli.Num(level, "paretoGapRatio"), 1e-6, 1.0);
        }

        var empty = levels.Single(l => Cli.Num(l, "completed") == 0)!;
        Assert.Null(empty["efficiency"]);
        Assert.Null(empty["paretoGapRatio"]);
    }

    [Fact]
    public async Task The_table_places_measured_levels_among_the_frontier_points_by_interactivity()
    {
        var run = await Cli.Run("sol", "--compare", Fixture("sweep.json"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var rows = run.Stdout.Split('\n').Where(l => l.StartsWith('│')).Select(l => l.Split('│', StringSplitOptions.TrimEntries)).ToArray();
        var labels = rows.Select(r => r[1]).ToArray();
        Assert.Contains("c=4 measured", labels);
        Assert.Contains("SOL B=16", labels);
        // tokens/s/user falls down the table for every row that has one
        var perUser = rows.Where(r => r[4] != "-" && r[4] != "tok/s/user").Select(r => double.Parse(r[4], NumberStyles.Number, CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(perUser.OrderByDescending(x => x), perUser);
        Assert.Contains("no completed request", run.Stdout, StringComparison.Ordinal); // the c=64 level, last
        Assert.StartsWith("c=64", labels[^1], StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_flag_changes_the_SOL_configuration_and_the_output_says_it_is_a_what_if()
    {
        var own = await Cli.Json("sol", "--compare", Fixture("sweep.json"));
        var h200 = await Cli.Json("sol", "--compare", Fixture("sweep.json"), "--gpu", "h200-sxm");

        Assert.Contains("the sweep ran with h100-sxm, the SOL is for h200-sxm", h200["differences"]![0]!.GetValue<string>(), StringComparison.Ordinal);
        Assert.Equal("h200-sxm", Cli.Str(h200["frontier"]![0], "gpu"));
        // more HBM bandwidth: a higher frontier, so the same measurement is further from it
        var level = 1;
        Assert.True(Cli.Num(h200["levels"]![level], "solTokensPerSecondPerGpuAtMeasuredInteractivity") > Cli.Num(own["levels"]![level], "solTokensPerSecondPerGpuAtMeasuredInteractivity"));
        Assert.True(Cli.Num(h200["levels"]![level], "paretoGapRatio") < Cli.Num(own["levels"]![level], "paretoGapRatio"));
        var table = await Cli.Run("sol", "--compare", Fixture("sweep.json"), "--gpu", "h200-sxm");
        Assert.Contains("what-if:", table.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Csv_and_a_pareto_chart_with_the_measured_points()
    {
        using var temp = new TempFolder();
        var png = temp.File("compare.png");
        var run = await Cli.Run("sol", "--compare", Fixture("sweep.json"), "--format", "csv", "--pareto", png);
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.StartsWith("kind,label,batch,", lines[0], StringComparison.Ordinal);
        var compared = await Cli.Json("sol", "--compare", Fixture("sweep.json"));
        var levels = compared["levels"]!.AsArray().Count;
        Assert.Equal(compared["frontier"]!.AsArray().Count + levels, lines.Length - 1); // every frontier point and every level
        Assert.Equal(levels, lines.Count(l => l.StartsWith("measured,", StringComparison.Ordinal)));

        using var bitmap = SKBitmap.Decode(png);
        Assert.Equal(1000, bitmap.Width);
        // the measured series is black squares: the chart has far more dark pixels than axes and text alone
        var dark = 0;
        for (var y = 0; y < bitmap.Height; y += 2)
        {
            for (var x = 0; x < bitmap.Width; x += 2)
            {
                var c = bitmap.GetPixel(x, y);
                if (c.Red < 40 && c.Green < 40 && c.Blue < 40)
                {
                    dark++;
                }
            }
        }

        Assert.True(dark > 200, $"{dark} dark pixels");
    }

    [Theory]
    [InlineData("wrong-kind.json", "is of kind 'something-else'")]
    [InlineData("recording.jsonl", "agent recording")]
    [InlineData("missing.json", "does not exist")]
    public async Task A_file_that_is_not_a_sweep_is_a_one_line_user_error(string file, string mention)
    {
        var run = await Cli.Run("sol", "--compare", Fixture(file));
        Assert.Equal(2, run.ExitCode);
        Assert.Contains(mention, run.Stderr, StringComparison.Ordinal);
        Assert.Contains("--compare", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Without_compare_the_model_gpu_batch_and_context_stay_required()
    {
        var run = await Cli.Run("sol", "--gpu", "h100-sxm", "--batch", "1", "--context", "1024");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("'--model' is required", run.Stderr, StringComparison.Ordinal);
        var noBatch = await Cli.Run("sol", "-m", "llama-3.1-8b", "--gpu", "h100-sxm", "--context", "1024");
        Assert.Contains("'--batch' is required", noBatch.Stderr, StringComparison.Ordinal);
    }
}
