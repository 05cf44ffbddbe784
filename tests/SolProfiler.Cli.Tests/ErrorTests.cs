namespace SolProfiler.Cli.Tests;

/// <summary>User errors: exit 2, one "error: ..." line on stderr that names the bad value, never a stack trace.</summary>
public class ErrorTests
{
    private const string Base = "sol --model llama-3.1-70b --gpu h100-sxm";

    internal static void AssertUserError(CliRun run, params string[] mentions)
    {
        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        var line = run.Stderr.TrimEnd('\r', '\n');
        Assert.StartsWith("error:", line, StringComparison.Ordinal);
        Assert.True(!line.Contains('\n', StringComparison.Ordinal), "stderr must be one line:\n" + run.Stderr);
        foreach (var m in mentions)
        {
            Assert.True(line.Contains(m, StringComparison.Ordinal), $"stderr should name '{m}': {line}");
        }
    }

    private static string[] Args(string line) => line.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    [Fact]
    public async Task Unknown_model_id_lists_the_known_ids()
    {
        var run = await Cli.Run(Args("sol --model llama-9-999b --gpu h100-sxm --batch 1 --context 1024"));
        AssertUserError(run, "llama-9-999b", "llama-3.1-70b", "mixtral-8x7b", "deepseek-r1");
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task Unknown_gpu_id_lists_the_known_ids()
    {
        var run = await Cli.Run(Args("sol --model llama-3.1-70b --gpu h900-sxm --batch 1 --context 1024"));
        AssertUserError(run, "h900-sxm", "h100-sxm", "mi300x", "b200");
        Assert.Empty(run.Stdout);
    }

    [Theory]
    [InlineData(Base + " --batch 0 --context 4096", "batch 0")]
    [InlineData(Base + " --batch -3 --context 4096", "-3")]
    [InlineData(Base + " --batch abc --context 4096", "'abc'")]
    [InlineData(Base + " --batch 1,abc,8 --context 4096", "'abc'")]
    [InlineData(Base + " --batch 8 --context -1", "-1")]
    [InlineData(Base + " --batch 8 --context many", "'many'")]
    [InlineData(Base + " --batch 8 --context 4096 --tp 3", "TP 3")]
    [InlineData("sol --model mixtral-8x7b --gpu h100-sxm --batch 8 --context 4096 --ep 3 --tp 8", "EP 3")]
    [InlineData(Base + " --batch 8 --context 4096 --weights nvfp4", "fp4")]
    [InlineData(Base + " --batch 8 --context 4096 --kv int4", "int4")]
    [InlineData(Base + " --batch 8 --context 4096 --weights fp5", "'fp5'")]
    [InlineData(Base + " --batch 8 --context 4096 --draft 3", "--accepted")]
    [InlineData(Base + " --batch 8 --context 4096 --accepted 2", "--draft")]
    [InlineData(Base + " --batch 8 --context 4096 --draft 2 --accepted 9", "9")]
    public async Task Bad_input_is_a_one_line_user_error_naming_the_value(string line, string mention)
    {
        var run = await Cli.Run(Args(line));
        AssertUserError(run, mention);
        Assert.Empty(run.Stdout);
    }

    /// <summary>Errors System.CommandLine finds while parsing are user errors too: the same one-line contract, not a help dump.</summary>
    [Theory]
    [InlineData(Base + " --batch 8 --context 4096 --tp abc", "abc")]
    [InlineData(Base + " --batch 8", "--context")]
    [InlineData(Base + " --batch 8 --context 4096 --bogus", "--bogus")]
    [InlineData(Base + " --batch 8 --context 4096 --format xml", "xml")]
    public async Task A_command_line_parse_error_is_a_one_line_user_error(string line, string mention)
    {
        var run = await Cli.Run(Args(line));
        AssertUserError(run, mention);
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task A_config_json_without_hidden_size_names_the_field()
    {
        using var temp = new TempFolder();
        var config = Cli.CatalogConfig("llama-3.1-70b");
        Assert.True(config.Remove("hidden_size"));
        var path = temp.Write("my-model/config.json", config.ToJsonString());
        var run = await Cli.Run("sol", "--model", path, "--gpu", "h100-sxm", "--batch", "8", "--context", "4096");
        AssertUserError(run, "'hidden_size'");
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task A_yaml_gpu_file_with_a_new_gpu_missing_its_bandwidth_names_the_key()
    {
        using var temp = new TempFolder();
        // A complete new GPU but for memoryBandwidthBytesPerSecond.
        var path = temp.Write("gpus.yaml", """
            gpus:
              - id: my-gpu
                name: My GPU
                vendor: Me
                deviceNamePatterns: ["My GPU"]
                memoryBytes: 96e9
                peakFlopsPerSecond:
                  bf16: 5.0e14
                scaleUp:
                  name: MyLink
                  bandwidthBytesPerSecondPerDirection: 2.0e11
                  collectiveLatencySeconds: 5.0e-6
                  domainSize: 8
                powerCapWatts: 600
                idlePowerWatts: 90
                energy:
                  hbmPicojoulesPerBit: 4
                  linkPicojoulesPerBit: 5
                  picojoulesPerFlop:
                    bf16: 0.6
            """);
        var run = await Cli.Run("sol", "--model", "llama-3.1-8b", "--gpu", "my-gpu", "--gpu-file", path, "--batch", "8", "--context", "4096");
        AssertUserError(run, "memoryBandwidthBytesPerSecond", "my-gpu");
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task A_gpu_file_that_does_not_exist_is_a_user_error()
    {
        using var temp = new TempFolder();
        var path = temp.File("nowhere.yaml");
        var run = await Cli.Run("sol", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpu-file", path, "--batch", "8", "--context", "4096");
        AssertUserError(run, "nowhere.yaml");
    }

    [Fact]
    public async Task A_model_path_that_does_not_exist_is_a_user_error()
    {
        using var temp = new TempFolder();
        var path = temp.File("missing/config.json");
        var run = await Cli.Run("sol", "--model", path, "--gpu", "h100-sxm", "--batch", "8", "--context", "4096");
        AssertUserError(run, path);
    }

    [Fact]
    public async Task Pareto_path_must_end_in_png_or_svg()
    {
        using var temp = new TempFolder();
        var path = temp.File("out.txt");
        var run = await Cli.Run("sol", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--batch", "1,8", "--context", "4096", "--pareto", path);
        AssertUserError(run, "out.txt");
        Assert.False(File.Exists(path), "no chart may be written to a path with the wrong extension");
    }

    [Fact]
    public async Task Pareto_path_is_checked_before_any_result_is_printed()
    {
        // Like every other user error, a bad --pareto must not leave a complete result on stdout next to exit 2.
        using var temp = new TempFolder();
        var run = await Cli.Run("sol", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--batch", "1,8", "--context", "4096", "--format", "json", "--pareto", temp.File("out.txt"));
        AssertUserError(run, "out.txt");
        Assert.Empty(run.Stdout);
    }

    [Fact]
    public async Task Pareto_into_a_folder_that_does_not_exist_is_a_user_error()
    {
        using var temp = new TempFolder();
        var path = Path.Combine(temp.Path, "no", "such", "folder", "frontier.png");
        var run = await Cli.Run("sol", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--batch", "1,8", "--context", "4096", "--format", "json", "--pareto", path);
        AssertUserError(run, "frontier.png");
    }

    [Fact]
    public async Task A_model_config_that_is_not_json_is_a_user_error()
    {
        using var temp = new TempFolder();
        var path = temp.Write("broken/config.json", "{ \"hidden_size\": 4096, ");
        var run = await Cli.Run("sol", "--model", path, "--gpu", "h100-sxm", "--batch", "8", "--context", "4096");
        AssertUserError(run, "config.json");
    }
}
