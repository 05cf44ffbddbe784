using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace SolProfiler.Cli.Tests;

/// <summary><c>solprof sol --prefill-tokens N</c>: mixed steps, against goldens written by the real program.</summary>
public partial class MixedStepTests
{
    private static readonly string[] Mixed512 =
    [
        "sol", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--tp", "8", "--weights", "fp8", "--kv", "fp8", "--activations", "fp8",
        "--batch", "64", "--context", "8192", "--prefill-tokens", "512",
    ];

    [GeneratedRegex(@"\x1B\[[0-9;?]*[A-Za-z]")]
    private static partial Regex AnsiEscape();

    private static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "Fixtures", "sol", name);

    private static string Lines(string text) =>
        string.Join('\n', AnsiEscape().Replace(text, "").Replace("\r", "", StringComparison.Ordinal).Split('\n').Select(l => l.TrimEnd())).TrimEnd();

    [Fact]
    public async Task The_table_of_a_mixed_step_matches_its_golden()
    {
        var run = await Cli.Run(Mixed512);
        Assert.True(run.ExitCode == 0, run.ToString());
        var text = Lines(run.Stdout);
        Assert.Equal(Lines(await File.ReadAllTextAsync(Fixture("mixed-step-512.table.txt"))), text);
        Assert.Contains("mixed step: 512 prompt tokens per step", text, StringComparison.Ordinal);
        Assert.Contains("P prefill", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_json_of_a_mixed_step_matches_its_golden_and_the_contract()
    {
        var json = Assert.IsType<JsonObject>(await Cli.Json(Mixed512));
        var golden = JsonNode.Parse(await File.ReadAllTextAsync(Fixture("mixed-step-512.json")));
        Assert.True(JsonNode.DeepEquals(golden, json), json.ToJsonString());
        JsonOutputTests.AssertContract(json);
        Assert.Equal(512, Cli.Num(json, "prefillTokens"));
        Assert.Equal(1, Cli.Num(json, "tokensPerStep"));

        var decode = Assert.IsType<JsonObject>(await Cli.Json([.. Mixed512[..^2]]));
        Cli.Close(Cli.Num(json, "seconds.step") - Cli.Num(decode, "seconds.step"), Cli.Num(json, "seconds.prefill"), 1e-12, "seconds.prefill");
        Assert.Equal(0, Cli.Num(decode, "seconds.prefill"));
        Assert.Equal(0, Cli.Num(decode, "shares.prefill"));
        // Weights are read once per pass for decode and prompt tokens together (each overlapped micro-batch is a pass).
        static double Passes(JsonNode n) => Cli.Str(n, "schedule") == "overlap" ? 2 : 1;
        Assert.Equal("overlap", Cli.Str(json, "schedule"));
        Assert.Equal(Cli.Num(decode, "weightBytesPerGpu") / Passes(decode), Cli.Num(json, "weightBytesPerGpu") / Passes(json));
    }

    /// <summary>
    /// Decode-only runs (no prompt tokens, or --prefill-tokens 0) match goldens written by the real program: first by
    /// the commit before mixed steps (7f82089, with the mixed-step fields added since), rewritten when the SOL model
    /// became the least over schedules and collective algorithms (issue 14), every number there read by hand against
    /// the model's tests. The mixed-step fields are all zero.
    /// </summary>
    [Theory]
    [InlineData("decode-only-llama-70b-tp8.json", "--model llama-3.1-70b --gpu h100-sxm --tp 8 --weights fp8 --kv fp8 --activations fp8 --batch 1,64,512 --context 8192")]
    [InlineData("decode-only-deepseek-v3-dp8.json", "--model deepseek-v3 --gpu h200-sxm --tp 8 --ep 8 --attention-dp 8 --batch 1,32,256 --context 4096")]
    [InlineData("decode-only-llama-70b-pp2-spec.json", "--model llama-3.1-70b --gpu h100-sxm --tp 4 --pp 2 --batch 1,16 --context 2048 --draft 3 --accepted 2.5")]
    [InlineData("decode-only-gpt-oss-120b.json", "--model gpt-oss-120b --gpu h100-sxm --batch 8 --context 20000 --prefill-tokens 0")]
    public async Task Without_prompt_tokens_the_results_match_their_goldens_and_the_mixed_step_fields_are_zero(string golden, string args)
    {
        var node = await Cli.Json(["sol", .. args.Split(' ')]);
        var points = node is JsonArray a ? a.Select(n => Assert.IsType<JsonObject>(n)).ToArray() : [Assert.IsType<JsonObject>(node)];
        foreach (var p in points)
        {
            Assert.Equal(0, Cli.Num(p, "prefillTokens"));
            Assert.Equal(0, Cli.Num(p, "seconds.prefill"));
            Assert.Equal(0, Cli.Num(p, "shares.prefill"));
        }

        var before = JsonNode.Parse(await File.ReadAllTextAsync(Fixture(golden)));
        Assert.True(JsonNode.DeepEquals(before, node), node.ToJsonString());
    }

    [Fact]
    public async Task Csv_carries_the_prefill_component_and_the_step_load()
    {
        var run = await Cli.Run([.. Mixed512, "--format", "csv"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        var lines = run.Stdout.TrimEnd().Split('\n').Select(l => l.TrimEnd('\r').Split(',')).ToArray();
        var json = await Cli.Json(Mixed512);
        double Cell(string name) => double.Parse(lines[1][Array.IndexOf(lines[0], name)], NumberStyles.Float, CultureInfo.InvariantCulture);
        Assert.Equal(Cli.Num(json, "seconds.prefill"), Cell("secondsPrefill"));
        Assert.Equal(Cli.Num(json, "shares.prefill"), Cell("sharePrefill"));
        Assert.Equal(512, Cell("prefillTokens"));
        Assert.Equal(1, Cell("tokensPerStep"));
    }

    [Theory]
    [InlineData("-1", "--prefill-tokens -1")]
    [InlineData("abc", "--prefill-tokens 'abc'")]
    [InlineData("NaN", "--prefill-tokens 'NaN'")]
    public async Task A_bad_prompt_token_count_is_a_one_line_error_naming_the_flag(string value, string mention)
    {
        var run = await Cli.Run("sol", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--batch", "8", "--context", "1000", "--prefill-tokens", value);
        ErrorTests.AssertUserError(run, mention);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task Fractional_prompt_tokens_are_a_mean_and_accepted()
    {
        var json = await Cli.Json("sol", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--batch", "8", "--context", "1000", "--prefill-tokens", "37.5");
        Assert.Equal(37.5, Cli.Num(json, "prefillTokens"));
        Assert.True(Cli.Num(json, "seconds.prefill") > 0);
    }

    [Fact]
    public async Task Compare_with_prompt_tokens_evaluates_the_levels_as_mixed_steps_and_says_it_is_a_what_if()
    {
        var sweep = Path.Combine(AppContext.BaseDirectory, "Fixtures", "report", "sweep.json");
        var own = await Cli.Json("sol", "--compare", sweep);
        var mixed = await Cli.Json("sol", "--compare", sweep, "--prefill-tokens", "256");
        Assert.Contains(mixed["differences"]!.AsArray(), d => d!.GetValue<string>().Contains("mixed steps of 256", StringComparison.Ordinal));
        Assert.All(mixed["frontier"]!.AsArray(), p => Assert.Equal(256, Cli.Num(p, "prefillTokens")));
        var compared = own["levels"]!.AsArray().Zip(mixed["levels"]!.AsArray()).Where(l => l.First!["efficiency"] is JsonValue).ToArray();
        Assert.NotEmpty(compared);
        // the SOL of a step that also computes 256 prompt tokens is longer, so the same measured step is nearer to it
        Assert.All(compared, l => Assert.True(Cli.Num(l.Second, "efficiency") > Cli.Num(l.First, "efficiency")));
    }
}
