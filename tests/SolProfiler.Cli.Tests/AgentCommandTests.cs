namespace SolProfiler.Cli.Tests;

/// <summary><c>solprof agent</c> refuses a bad configuration before anything starts: one error naming every bad key, exit 2.</summary>
public sealed class AgentCommandTests
{
    [Fact]
    public async Task Bad_flags_are_all_named_in_one_line_and_exit_2()
    {
        var run = await Cli.Run("agent", "--model", "llama-3.1-70b", "--tp", "0", "--kv", "fp4", "--gpu-backend", "none", "--gpu", "h100-sxm");

        Assert.Equal(2, run.ExitCode);
        Assert.Equal(
            "error: --tp 0 must be >= 1; --kv 'fp4' is not a KV-cache precision; expected bf16, fp16, fp8 (see --help)",
            run.Stderr.Trim());
    }

    [Fact]
    public async Task Bad_settings_are_all_named_by_key_and_flag_and_exit_2()
    {
        using var folder = new TempFolder();
        var path = folder.Write("agent.yaml", "model: llama-3.1-70b\ngpu: h100-sxm\ntp: 0\nkv: fp4\ngpuSource:\n  backend: dcgm-exporter\n  file: /nonexistent/dcgm.prom\n");

        var run = await Cli.Run("agent", "--config", path, "--serving-url", "localhost:8000");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("tp (--tp): 0 must be >= 1", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("kv (--kv): 'fp4' is not a KV-cache precision; expected bf16, fp16, fp8", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("serving:url (--serving-url): 'localhost:8000' is not an http(s) URL", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("gpuSource:file (--dcgm-exporter-file): file '/nonexistent/dcgm.prom' does not exist", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Gpu_auto_without_a_gpu_source_says_what_to_do()
    {
        var run = await Cli.Run("agent", "--model", "llama-3.1-8b", "--gpu-backend", "none", "--urls", "http://127.0.0.1:0");

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("auto needs a GPU source", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_config_file_with_an_unknown_key_names_it()
    {
        using var folder = new TempFolder();
        var path = folder.Write("agent.yaml", "model: llama-3.1-8b\ngpu: h100-sxm\nwindw: 30s\n");

        var run = await Cli.Run("agent", "--config", path);

        Assert.Equal(2, run.ExitCode);
        Assert.Contains("unknown key 'windw'", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_port_in_use_is_one_line_and_exit_1()
    {
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var run = await Cli.Run("agent", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--gpu-backend", "none", "--urls", $"http://127.0.0.1:{port}");

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"cannot listen on http://127.0.0.1:{port}", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_demo_on_a_port_in_use_prints_one_error_line_and_no_critical_log()
    {
        // The demo scrapes its server from the first second, so a read is in flight when the host that failed to bind
        // is disposed; that read's cancellation was logged as a crashed service with its stack trace.
        using var taken = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback, 0);
        taken.Start();
        var port = ((System.Net.IPEndPoint)taken.LocalEndpoint).Port;

        var run = await SolprofProcess.RunAsync(TimeSpan.FromSeconds(90), "agent", "--demo", "--urls", $"http://127.0.0.1:{port}");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries), l => l.StartsWith("error: cannot listen on", StringComparison.Ordinal));
        Assert.DoesNotContain("crit:", run.Stdout + run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", run.Stdout + run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_demo_without_its_nvml_stand_in_says_how_to_build_it_in_one_line()
    {
        using var folder = new TempFolder();
        var missing = Path.Combine(folder.Path, "no-build", "libnvidia-ml.so.1");
        var path = folder.Write("agent.yaml", $"demo: true\nurls: http://127.0.0.1:0\ndemoSettings:\n  nvmlLibraryPath: {missing}\n");

        var run = await Cli.Run("agent", "--config", path);

        Assert.Equal(1, run.ExitCode);
        Assert.Contains($"the NVML stand-in {missing} does not exist", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("cmake -S native -B native/build", run.Stderr, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", run.Stderr + run.Stdout, StringComparison.Ordinal);
    }
}
