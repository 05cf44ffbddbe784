using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Logging.Abstractions;
using SolProfiler.Demo;

namespace SolProfiler.Cli.Tests;

/// <summary><c>solprof sweep</c> against the demo's simulated vLLM server on 127.0.0.1, with no background load.</summary>
[Collection(NativeStandIn.Collection)]
public sealed class SweepCommandTests
{
    private static DemoOptions Demo() => new() { BackgroundLoad = false, NvmlLibraryPath = NativeStandIn.NvmlPath, PromptTokens = 4096, OutputTokens = 16 };

    // 4k-token prompts make the KV reads grow with the batch, so each user's rate visibly falls as concurrency rises

    private static string[] Args(DemoEnvironment demo, string output, string concurrency, params string[] extra) =>
    [
        "sweep", "--endpoint", demo.BaseUrl.ToString(), "--model", demo.ModelName, "--sol-model", "llama-3.1-70b", "--gpu", "h100-sxm",
        "--tp", "8", "--weights", "fp8", "--kv", "fp8", "--activations", "fp8", "--concurrency", concurrency,
        "--input-tokens", "4096", "--output-tokens", "16", "--warmup", "1s", "-o", output, .. extra,
    ];

    [Fact]
    public async Task A_three_level_sweep_1_8_64_matches_the_SOL_and_writes_json_and_csv()
    {
        await using var demo = await DemoEnvironment.StartAsync(Demo(), NullLoggerFactory.Instance);
        using var temp = new TempFolder();
        var path = temp.File("results.json");
        var run = await Cli.Run(Args(demo, path, "1,8,64", "--duration", "3s"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("solprof-sweep", Cli.Str(json, "kind"));
        Assert.Equal(1, Cli.Num(json, "version"));
        Assert.False((bool)json["stoppedEarly"]!);
        Assert.Contains("4 characters", Cli.Str(json["settings"], "tokenCounting"), StringComparison.Ordinal);
        var levels = json["levels"]!.AsArray();
        Assert.Equal(3, levels.Count);
        foreach (var level in levels)
        {
            Assert.True(Cli.Num(level, "completed") > 0, level!.ToJsonString());
            var efficiency = Cli.Num(level, "efficiency");
            Assert.InRange(efficiency, 1e-6, 1.0);
            Assert.Equal("client", Cli.Str(level!["operatingPoint"], "batchSource"));
            foreach (var stat in new[] { "ttftSeconds", "tpotSeconds", "itlSeconds" })
            {
                Assert.True(Cli.Num(level, stat + ".p50") > 0);
                Assert.True(Cli.Num(level, stat + ".p99") >= Cli.Num(level, stat + ".p50"));
            }

            // the SOL at the operating point is what `solprof sol` prints for the same batch and context
            var batch = Cli.Num(level, "operatingPoint.batch");
            var context = Cli.Num(level, "operatingPoint.contextTokens");
            var sol = await Cli.Json("sol", "-m", "llama-3.1-70b", "-g", "h100-sxm", "--tp", "8", "--weights", "fp8", "--kv", "fp8", "--activations", "fp8",
                "--batch", ((int)batch).ToString(CultureInfo.InvariantCulture), "--context", context.ToString("R", CultureInfo.InvariantCulture));
            Assert.Equal(Cli.Num(sol, "secondsPerOutputToken"), Cli.Num(level, "sol.secondsPerOutputToken"), 12);
            Assert.Equal(Cli.Num(sol, "tokensPerSecondPerGpu"), Cli.Num(level, "sol.tokensPerSecondPerGpu"), 9);
            Assert.Equal(Cli.Num(level, "outputTokensPerSecond") / 8, Cli.Num(level, "outputTokensPerSecondPerGpu"), 9);
        }

        Assert.True(json["frontier"]!.AsArray().Count > 0);

        // `solprof sol --compare` reads the sweep back and finds the same efficiency and Pareto gap at every level
        var compared = (await Cli.Json("sol", "--compare", path))["levels"]!.AsArray();
        for (var i = 0; i < levels.Count; i++)
        {
            Assert.Equal(Cli.Num(levels[i], "efficiency"), Cli.Num(compared[i], "efficiency"), 12);
            Assert.Equal(Cli.Num(levels[i], "paretoGapRatio"), Cli.Num(compared[i], "paretoGapRatio"), 12);
        }

        var csv = File.ReadAllLines(temp.File("results.csv"));
        Assert.Equal(4, csv.Length);
        Assert.StartsWith("concurrency,", csv[0], StringComparison.Ordinal);
    }

    // The physics behind the check: each step reads the weights once plus every sequence's KV cache, so the step grows
    // with the batch and each user's rate (1/TPOT) falls. At these settings the SOL step is 3.47 ms at B=1, 3.72 ms at
    // B=8 and 5.69 ms at B=64; the demo runs at 80 % of HBM bandwidth plus 1.5 ms of host time per step, so 1 -> 8 is
    // a 6 % step that the simulated server's delivery jitter (averaged over 15 gaps per request) must not hide.
    [Fact]
    public async Task Tokens_per_user_fall_as_concurrency_rises()
    {
        await using var demo = await DemoEnvironment.StartAsync(Demo(), NullLoggerFactory.Instance);
        using var temp = new TempFolder();
        var path = temp.File("results.json");
        var run = await Cli.Run(Args(demo, path, "1,8,64", "--duration", "3s"));
        Assert.True(run.ExitCode == 0, run.ToString());
        var levels = JsonNode.Parse(File.ReadAllText(path))!["levels"]!.AsArray();
        // Per user by the median TPOT: at concurrency 1 a 3 s level holds ~20 requests, and one host stall of a busy
        // CI runner (seen: one request at 42 ms/token among medians of 6.7) moves their mean past the 6 % step.
        var perUser = levels.Select(l => 1 / Cli.Num(l, "tpotSeconds.p50")).ToArray();
        var detail = string.Join("; ", levels.Select(l => string.Create(CultureInfo.InvariantCulture,
            $"c={Cli.Num(l, "concurrency")}: {Cli.Num(l, "tokensPerSecondPerUser"):F1} tok/s/user, TPOT p50 {Cli.Num(l, "tpotSeconds.p50") * 1e3:F2} ms p99 {Cli.Num(l, "tpotSeconds.p99") * 1e3:F2} ms, ITL p50 {Cli.Num(l, "itlSeconds.p50") * 1e3:F2} ms p99 {Cli.Num(l, "itlSeconds.p99") * 1e3:F2} ms, {Cli.Num(l, "completed")} requests")));
        Assert.True(perUser[0] > perUser[1] && perUser[1] > perUser[2], detail);
        Assert.True(Cli.Num(levels[1], "tokensPerSecondPerUser") > Cli.Num(levels[2], "tokensPerSecondPerUser"), detail);
    }

    [Fact]
    public async Task With_the_metrics_url_the_operating_point_comes_from_the_server()
    {
        await using var demo = await DemoEnvironment.StartAsync(Demo(), NullLoggerFactory.Instance);
        using var temp = new TempFolder();
        var path = temp.File("results.json");
        var run = await Cli.Run(Args(demo, path, "4", "--duration", "3s", "--metrics-url", demo.MetricsUrl.ToString()));
        Assert.True(run.ExitCode == 0, run.ToString());
        var level = JsonNode.Parse(File.ReadAllText(path))!["levels"]![0]!;
        Assert.Equal("server", Cli.Str(level["operatingPoint"], "batchSource"));
        Assert.InRange(Cli.Num(level, "serverBatch"), 1.0, 4.5);
        Assert.InRange(Cli.Num(level, "efficiency"), 1e-6, 1.0);
    }

    [Fact]
    public async Task With_a_gpu_backend_each_level_has_power_and_joules_per_token_above_the_SOL()
    {
        // The demo drives the NVML stand-in with the simulated GPUs' power; the sweep reads it through the real P/Invoke path.
        // The SOL's J/token is taken at the window's mean step load, which bounds the mean of the steps only while they
        // run one schedule: a whole 4k prompt in one step runs two overlapped micro-batches (43.8 ms against 62.9 serial
        // at B = 2), the decode steps serially, and a mix of the two can beat the mean load's serial SOL. Prompts are
        // chunked to at most 272 - B tokens per step (serial at both levels: at B = 16 and 256 prompt tokens, 5.45 ms
        // serial against 5.70 overlapped), so every step runs serially.
        await using var demo = await DemoEnvironment.StartAsync(Demo() with { MaxBatchedTokens = 272 }, NullLoggerFactory.Instance);
        using var temp = new TempFolder();
        var path = temp.File("power.json");

        // Chunked, a 4k prompt takes about 16 steps before its first token: 8 s levels let enough requests finish
        // that the clients' token rate matches the server's.
        var run = await Cli.Run(Args(demo, path, "2,16", "--duration", "8s", "--metrics-url", demo.MetricsUrl.ToString(),
            "--gpu-backend", "sim", "--gpu-library", NativeStandIn.NvmlPath));
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("sim", Cli.Str(json["settings"], "gpuBackend"));
        var levels = json["levels"]!.AsArray();
        foreach (var level in levels)
        {
            var watts = Cli.Num(level, "powerWatts");
            var joules = Cli.Num(level, "joulesPerToken");
            Assert.Equal(1, Cli.Num(level, "replicas"));
            // eight simulated H100s, each between idle and its 700 W cap
            Assert.InRange(watts, 8 * 50.0, 8 * 700.0);
            // J/token is the power over the server's token rate; the clients' rate is within a few per cent of it
            Assert.InRange(joules * Cli.Num(level, "outputTokensPerSecond") / watts, 0.8, 1.25);
            Assert.True(joules >= Cli.Num(level, "sol.joulesPerToken"), $"{joules} J/token beats the SOL's {Cli.Num(level, "sol.joulesPerToken")}");
        }

        // more tokens for the same weight reads: energy per token falls with the batch
        Assert.True(Cli.Num(levels[1], "joulesPerToken") < Cli.Num(levels[0], "joulesPerToken"));
        var csv = File.ReadAllLines(temp.File("power.csv"));
        var header = csv[0].Split(',');
        Assert.False(string.IsNullOrEmpty(csv[1].Split(',')[Array.IndexOf(header, "joulesPerToken")]));
    }

    [Fact]
    public async Task The_SOL_honours_gpu_file_and_attention_dp_as_solprof_sol_does()
    {
        await using var demo = await DemoEnvironment.StartAsync(Demo(), NullLoggerFactory.Instance);
        using var temp = new TempFolder();
        var gpuFile = temp.Write("slow.yaml", """
            # the same H100 with a third of its HBM bandwidth
            id: h100-sxm
            memoryBandwidthBytesPerSecond: 1.1e12
            """);
        var path = temp.File("custom.json");
        string[] sweep =
        [
            "sweep", "--endpoint", demo.BaseUrl.ToString(), "--model", demo.ModelName, "--sol-model", "llama-3.1-70b", "--gpu", "h100-sxm", "--gpu-file", gpuFile,
            "--tp", "8", "--attention-dp", "2", "--weights", "fp8", "--kv", "fp8", "--concurrency", "4", "--requests", "4", "--warmup", "0",
            "--input-tokens", "1024", "--output-tokens", "8", "-o", path,
        ];
        var run = await Cli.Run(sweep);
        Assert.True(run.ExitCode == 0, run.ToString());
        var json = JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal(gpuFile, Cli.Str(json["configuration"], "gpuFile"));
        Assert.Equal(2, Cli.Num(json["configuration"], "attentionDp"));
        var level = json["levels"]![0]!;
        string[] solArgs = ["sol", "-m", "llama-3.1-70b", "-g", "h100-sxm", "--tp", "8", "--attention-dp", "2", "--weights", "fp8", "--kv", "fp8",
            "--batch", "4", "--context", Cli.Num(level, "operatingPoint.contextTokens").ToString("R", CultureInfo.InvariantCulture)];
        var sol = await Cli.Json([.. solArgs, "--gpu-file", gpuFile]);
        var stock = await Cli.Json(solArgs);
        Assert.Equal(Cli.Num(sol, "secondsPerOutputToken"), Cli.Num(level, "sol.secondsPerOutputToken"), 12);
        Assert.True(Cli.Num(level, "sol.secondsPerOutputToken") > 2 * Cli.Num(stock, "secondsPerOutputToken"), "the --gpu-file was not used");
        Assert.Equal(2, Cli.Num(level, "sol.attentionDp"));
    }

    [Fact]
    public async Task A_model_the_server_does_not_list_is_a_user_error_before_any_load()
    {
        await using var demo = await DemoEnvironment.StartAsync(Demo(), NullLoggerFactory.Instance);
        using var temp = new TempFolder();
        var path = temp.File("wrong-model.json");
        var run = await Cli.Run("sweep", "--endpoint", demo.BaseUrl.ToString(), "--model", "meta-llama/Llama-3.1-70B-Instruct", "--sol-model", "llama-3.1-70b",
            "--gpu", "h100-sxm", "--tp", "8", "--concurrency", "4", "--duration", "2s", "-o", path);
        Assert.Equal(2, run.ExitCode);
        Assert.Contains($"--model 'meta-llama/Llama-3.1-70B-Instruct' is not served at {demo.BaseUrl}", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("it serves: " + demo.ModelName, run.Stderr, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
        Assert.Equal(0, await GenerationTokens(demo)); // not one request reached the server
    }

    private static async Task<double> GenerationTokens(DemoEnvironment demo)
    {
        using var http = new HttpClient();
        var text = await http.GetStringAsync(demo.MetricsUrl);
        var line = text.Split('\n').Single(l => l.StartsWith("vllm:generation_tokens_total{", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    [Fact]
    public async Task Without_sol_model_a_served_id_the_catalog_knows_is_used_and_named()
    {
        await using var demo = await DemoEnvironment.StartAsync(Demo(), NullLoggerFactory.Instance);
        using var temp = new TempFolder();
        var path = temp.File("inferred.json");
        var run = await Cli.Run("sweep", "--endpoint", demo.BaseUrl.ToString(), "--model", demo.ModelName, "--gpu", "h100-sxm", "--tp", "8",
            "--concurrency", "2", "--duration", "2s", "--warmup", "0", "-o", path);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains($"SOL model: '{demo.ModelName}' is catalog model llama-3.1-70b", run.Stderr, StringComparison.Ordinal);
        var result = System.Text.Json.Nodes.JsonNode.Parse(File.ReadAllText(path))!;
        Assert.Equal("llama-3.1-70b", (string?)result["configuration"]!["model"]);
    }

    [Fact]
    public async Task Without_sol_model_an_unknown_served_id_is_a_user_error_naming_the_flag()
    {
        var run = await Cli.Run("sweep", "--endpoint", "http://127.0.0.1:1/v1", "--model", "tiny-llama", "--gpu", "h100-sxm");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--model 'tiny-llama' names no catalog model", run.Stderr, StringComparison.Ordinal);
        Assert.Contains("give --sol-model", run.Stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_dead_endpoint_fails_fast_with_one_line_and_writes_nothing()
    {
        using var temp = new TempFolder();
        var path = temp.File("dead.json");
        var port = Loopback.FreePort();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var run = await Cli.Run(
            "sweep", "--endpoint", $"http://127.0.0.1:{port}/v1", "--model", "m", "--sol-model", "llama-3.1-8b", "--gpu", "h100-sxm",
            "--concurrency", "1,2", "--requests", "3", "--warmup", "0", "--output-tokens", "8", "--timeout", "60s", "-o", path);
        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.True(clock.Elapsed < TimeSpan.FromSeconds(10), $"took {clock.Elapsed}");
        Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
        var line = Assert.Single(run.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        Assert.StartsWith("error: endpoint http://127.0.0.1:", line, StringComparison.Ordinal);
        Assert.Contains("is down (connect)", line, StringComparison.Ordinal);
        Assert.False(File.Exists(path));
    }

    private static readonly string[] DeadServerReasons = ["connect", "before_headers", "mid_stream"];

    private static readonly string[] MeasuredKeys =
        ["outputTokens", "outputTokensPerSecond", "outputTokensPerSecondPerGpu", "tokensPerSecondPerUser", "ttftSeconds", "tpotSeconds", "itlSeconds", "operatingPoint", "sol", "efficiency", "paretoGapRatio"];

    [Fact]
    public async Task Server_killed_mid_sweep_keeps_the_finished_level_records_the_failures_and_stops_on_the_error_ratio()
    {
        var (run, json) = await SweepKilledDuringSecondLevel();
        var levels = json["levels"]!.AsArray();

        // The sweep stops after the first level whose failed share exceeds the limit (0.5 by default): the level the
        // server died in when its clients kept failing there, else the next one, where every connection is refused.
        Assert.True(Cli.Bool(json, "stoppedEarly"), run.ToString());
        Assert.InRange(levels.Count, 2, 3);
        Assert.All(levels.SkipLast(1), l => Assert.True(ErrorRatio(l) <= 0.5, l!.ToJsonString()));
        var last = levels[^1]!;
        Assert.True(ErrorRatio(last) > 0.5, last.ToJsonString());
        var reason = Cli.Str(json, "stopReason");
        Assert.Contains(string.Create(CultureInfo.InvariantCulture, $"errors in {Cli.Num(last, "errors")} of {Cli.Num(last, "requests")} requests at concurrency {Cli.Num(last, "concurrency")}"), reason, StringComparison.Ordinal);
        Assert.Contains("exceed the limit 0.5", reason, StringComparison.Ordinal);
        Assert.DoesNotContain(levels, l => Cli.Num(l, "concurrency") == 8); // the level after the stop never ran
    }

    [Fact]
    public async Task Server_killed_mid_sweep_with_max_error_ratio_1_runs_every_level()
    {
        var (run, json) = await SweepKilledDuringSecondLevel("--max-error-ratio", "1");
        Assert.False(Cli.Bool(json, "stoppedEarly"), run.ToString());
        Assert.Null(json["stopReason"]);
        var levels = json["levels"]!.AsArray();
        Assert.Equal([1.0, 2, 4, 8], levels.Select(l => Cli.Num(l, "concurrency")));

        // after the kill nothing listens: the later levels completed nothing, and every request found the endpoint down
        foreach (var level in levels.Skip(2))
        {
            Assert.Equal(0, Cli.Num(level, "completed"));
            Assert.True(Cli.Num(level, "errors") > 0, level!.ToJsonString());
            Assert.Equal(Cli.Num(level, "errors"), Cli.Num(level, "errorReasons.connect"));
        }
    }

    /// <summary>
    /// Sweeps 1,2,4,8 (2 s a level, no warm-up) and disposes the demo server once the second level is under way: when the
    /// server has run two requests at once (only the second level has two clients) and finished two more since. Checks what
    /// holds whatever the error limit: exit 1 without a stack trace, the JSON and CSV written, the first level measured,
    /// the failures counted by reason, and null (not zero) measurements wherever nothing completed.
    /// </summary>
    private static async Task<(CliRun Run, JsonNode Json)> SweepKilledDuringSecondLevel(params string[] extra)
    {
        var demo = await DemoEnvironment.StartAsync(Demo(), NullLoggerFactory.Instance);
        var killed = false; // set before the kill's DisposeAsync starts, so the demo is disposed exactly once
        try
        {
            using var temp = new TempFolder();
            var path = temp.File("killed.json");
            using var stopWatching = new CancellationTokenSource();
            var killer = Task.Run(async () =>
            {
                await WaitForTheSecondLevelAsync(demo, stopWatching.Token);
                killed = true;
                await demo.DisposeAsync();
            }, CancellationToken.None);
            var run = await Cli.Run(
            [
                "sweep", "--endpoint", demo.BaseUrl.ToString(), "--model", demo.ModelName, "--sol-model", "llama-3.1-70b", "--gpu", "h100-sxm",
                "--tp", "8", "--weights", "fp8", "--kv", "fp8", "--activations", "fp8", "--concurrency", "1,2,4,8",
                "--input-tokens", "4096", "--output-tokens", "16", "--duration", "2s", "--warmup", "0", "-o", path, .. extra,
            ]).WaitAsync(TimeSpan.FromMinutes(3)); // a hang guard for a broken sweep, not an assertion on speed
            await stopWatching.CancelAsync(); // when the sweep ended before its second level, stop watching for it
            try
            {
                await killer;
            }
            catch (OperationCanceledException) when (!killed)
            {
            }

            Assert.True(killed, "the sweep ended before its second level ran, so the server was never killed\n" + run);

            Assert.True(run.ExitCode == SolProfiler.Cli.Sweep.SweepCommand.ExitIncomplete, run.ToString());
            Assert.DoesNotContain("   at ", run.Stderr, StringComparison.Ordinal);
            Assert.Contains("wrote " + path, run.Stderr, StringComparison.Ordinal);
            var json = JsonNode.Parse(File.ReadAllText(path))!;
            var levels = json["levels"]!.AsArray();

            // the level that finished before the kill is measured as usual
            var first = levels[0]!;
            Assert.Equal(1, Cli.Num(first, "concurrency"));
            Assert.True(Cli.Num(first, "completed") > 0, first.ToJsonString());
            Assert.Equal(0, Cli.Num(first, "errors"));
            Assert.True(Cli.Num(first, "outputTokensPerSecond") > 0);
            Assert.True(Cli.Num(first, "tokensPerSecondPerUser") > 0);
            Assert.True(Cli.Num(first, "ttftSeconds.p50") > 0);
            Assert.InRange(Cli.Num(first, "efficiency"), 1e-6, 1.0);

            // the level the server died in completed some requests and counts its failures by reason
            var second = levels[1]!;
            Assert.Equal(2, Cli.Num(second, "concurrency"));
            Assert.True(Cli.Num(second, "completed") > 0, second.ToJsonString());
            Assert.True(Cli.Num(second, "errors") > 0, second.ToJsonString());

            var rows = File.ReadAllLines(SolProfiler.Cli.Sweep.SweepFiles.CsvPathFor(path));
            Assert.Equal(levels.Count + 1, rows.Length);
            var header = rows[0].Split(',');
            foreach (var (level, row) in levels.Zip(rows.Skip(1)))
            {
                Assert.Equal(Cli.Num(level, "requests"), Cli.Num(level, "completed") + Cli.Num(level, "errors"));
                var reasons = level!["errorReasons"]!.AsObject();
                Assert.Equal(Cli.Num(level, "errors"), reasons.Sum(r => (double)r.Value!));
                Assert.All(reasons, r => Assert.Contains(r.Key, DeadServerReasons));
                if (Cli.Num(level, "completed") == 0)
                {
                    foreach (var key in MeasuredKeys)
                    {
                        Assert.True(level.AsObject().ContainsKey(key) && level[key] is null, $"{key} of a level that completed nothing: {level.ToJsonString()}");
                    }

                    var cells = row.Split(',');
                    Assert.All(Enumerable.Range(Array.IndexOf(header, "outputTokens"), header.Length - Array.IndexOf(header, "outputTokens")), i =>
                        Assert.True(cells[i].Length == 0, $"CSV column {header[i]} is '{cells[i]}' for a level that completed nothing"));
                }
            }

            return (run, json);
        }
        finally
        {
            if (!killed)
            {
                await demo.DisposeAsync();
            }
        }
    }

    /// <summary>
    /// Polls the server's own metrics until the second level is under way: two requests running at once (the first
    /// level has one client), then two more requests finished, so the level has measured some before the server dies.
    /// </summary>
    private static async Task WaitForTheSecondLevelAsync(DemoEnvironment demo, CancellationToken cancellationToken)
    {
        using var http = new HttpClient();
        double? finishedAtSecondLevel = null;
        while (true)
        {
            var text = await http.GetStringAsync(demo.MetricsUrl, cancellationToken);
            var running = Metric(text, "vllm:num_requests_running");
            var finished = Metric(text, "vllm:request_success_total");
            if (finishedAtSecondLevel is null && running >= 2)
            {
                finishedAtSecondLevel = finished;
            }

            if (finished >= finishedAtSecondLevel + 2)
            {
                return;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(20), cancellationToken);
        }
    }

    private static double Metric(string exposition, string name)
    {
        var line = exposition.Split('\n').Single(l => l.StartsWith(name + "{", StringComparison.Ordinal));
        return double.Parse(line[(line.LastIndexOf(' ') + 1)..], CultureInfo.InvariantCulture);
    }

    private static double ErrorRatio(JsonNode? level) => Cli.Num(level, "errors") / Cli.Num(level, "requests");

    [Fact]
    public async Task Duration_and_requests_together_are_a_user_error()
    {
        var run = await Cli.Run("sweep", "--endpoint", "http://127.0.0.1:1/v1", "--model", "m", "--sol-model", "llama-3.1-8b", "--gpu", "h100-sxm",
            "--duration", "3s", "--requests", "3");
        Assert.Equal(2, run.ExitCode);
        Assert.Contains("--duration or --requests", run.Stderr, StringComparison.Ordinal);
    }

}
