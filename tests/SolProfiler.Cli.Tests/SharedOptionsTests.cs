namespace SolProfiler.Cli.Tests;

/// <summary>
/// The deployment and GPU-source flags are one set across <c>sol</c>, <c>sweep</c>, <c>agent</c> and <c>gpus</c>: the
/// same spelling, the same checks, and errors that name the flag as the user typed it (an old spelling too).
/// </summary>
public sealed class SharedOptionsTests
{
    private static readonly string[] SolArgs = ["sol", "-m", "llama-3.1-8b", "-g", "h100-sxm", "-b", "1", "-l", "1000"];
    private static readonly string[] SweepArgs = ["sweep", "-e", "http://127.0.0.1:1/v1", "--model", "m", "-g", "h100-sxm"];
    private static readonly string[] AgentArgs = ["agent", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpu-backend", "none"];

    public static TheoryData<string> Commands => new() { "sol", "sweep", "agent" };

    private static string[] With(string command, params string[] more) => [.. command switch
    {
        "sol" => SolArgs,
        "sweep" => SweepArgs,
        _ => AgentArgs,
    }, .. more];

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task A_degree_below_one_is_refused_naming_its_flag(string command)
    {
        var run = await Cli.Run(With(command, "--pp", "0"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --pp 0 must be >= 1 (see --help)", run.Stderr.Trim());
    }

    [Theory]
    [MemberData(nameof(Commands))]
    public async Task A_precision_the_role_does_not_take_is_refused_with_the_choices(string command)
    {
        var run = await Cli.Run(With(command, "--kv", "int4"));

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --kv 'int4' is not a KV-cache precision; expected bf16, fp16, fp8 (see --help)", run.Stderr.Trim());
    }

    [Theory]
    [InlineData("--gpu-backend")]
    [InlineData("--backend")]
    public async Task An_unknown_backend_is_named_as_typed(string spelling)
    {
        var run = await Cli.Run("gpus", spelling, "rocm");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal($"error: {spelling} 'rocm' is not a GPU backend; expected auto, dcgm, nvml, dcgm-exporter, sim or none (see --help)", run.Stderr.Trim());
    }

    [Fact]
    public async Task A_flag_given_under_both_spellings_is_refused()
    {
        var run = await Cli.Run("gpus", "--gpu-backend", "auto", "--backend", "auto");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--gpu-backend and --backend are one option", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Old_spellings_are_hidden_from_help()
    {
        var run = await Cli.Run("gpus", "--help");

        Assert.Equal(0, run.ExitCode);
        Assert.Contains("--gpu-backend", run.Stdout, StringComparison.Ordinal);
        Assert.Contains("--dcgm-exporter-url", run.Stdout, StringComparison.Ordinal);
        foreach (var old in new[] { " --backend", " --library", " --url", " --file", " --timeout" })
        {
            Assert.DoesNotContain(old, run.Stdout, StringComparison.Ordinal);
        }
    }

    [Fact]
    public async Task An_old_spelling_is_named_in_its_error_and_noted()
    {
        var run = await Cli.Run("gpus", "--backend", "dcgm-exporter", "--file", "/nonexistent/dcgm.prom");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("note: --backend is now --gpu-backend", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("note: --file is now --dcgm-exporter-file", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("error: --file: file '/nonexistent/dcgm.prom' does not exist", run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("error: --gpu-library: goes with --gpu-backend nvml, dcgm, sim or auto", "--gpu-library", "/x.so")]
    [InlineData("error: --dcgm-host: goes with --gpu-backend dcgm (or auto)", "--gpu-backend", "nvml", "--dcgm-host", "127.0.0.1:5555")]
    [InlineData("error: --gpu-url: goes with --gpu-backend dcgm-exporter", "--gpu-backend", "nvml", "--gpu-url", "http://127.0.0.1:9400/metrics")]
    [InlineData("error: --gpu-backend: dcgm-exporter needs the exporter's http(s) /metrics URL (--dcgm-exporter-url) or a saved body (--dcgm-exporter-file)", "--gpu-backend", "dcgm-exporter")]
    [InlineData("error: --dcgm-exporter-url: 'ftp://x' is not an http(s) URL", "--gpu-backend", "dcgm-exporter", "--dcgm-exporter-url", "ftp://x")]
    public async Task Gpu_source_flags_that_do_not_go_together_are_refused_before_the_sweep(string error, params string[] flags)
    {
        var run = await Cli.Run([.. SweepArgs, .. flags]);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains(error, run.Stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("scrape", "--file", "/nonexistent.prom")]
    [InlineData("agent", "--model", "llama-3.1-8b")]
    public async Task The_server_kind_is_one_closed_choice_in_every_command(params string[] args)
    {
        var run = await Cli.Run([.. args, "--server", "ollama"]);

        Assert.Equal(2, run.ExitCode);
        Assert.Equal("error: --server 'ollama' is not a server kind; known: auto, vllm, vllm-v0, nim, sglang, tgi, trtllm, triton-trtllm, llamacpp, dynamo (see --help)", run.Stderr.Trim());
    }
}
