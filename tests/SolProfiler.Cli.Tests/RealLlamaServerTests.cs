using System.Text.Json.Nodes;

namespace SolProfiler.Cli.Tests;

/// <summary>
/// <c>solprof</c> against llama.cpp's real llama-server (../shared/llamacpp), which closes the connection after every
/// streamed response without saying so: before the fresh-connection retry about one request in five failed there.
/// </summary>
public sealed class RealLlamaServerTests
{
    [LlamaServerFact]
    public async Task Sweep_at_concurrency_1_2_4_has_no_failed_request()
    {
        // --temp 0: the random-weight model sampled at llama-server's default 0.8 sometimes emits tokens its own output
        // parser then rejects mid-stream ("does not match the expected Content-only format", a stream_error that is
        // the server's, not the transport's); greedy decoding makes the output fixed per prompt, and this one clean.
        await using var server = await LlamaServerFixture.StartAsync(["--temp", "0"]);
        using var temp = new TempFolder();
        var path = temp.File("real.json");

        var run = await Cli.Run(
            "sweep", "--endpoint", new Uri(server.BaseUrl, "v1").ToString(), "--model", LlamaServerFixture.ModelAlias,
            "--sol-model", server.ConfigJson, "--gpu-file", LlamaServerFixture.CpuDeviceFile, "--gpu", LlamaServerFixture.CpuDeviceId,
            "--concurrency", "1,2,4", "--requests", "12", "--warmup", "0", "--input-tokens", "16", "--output-tokens", "4",
            "--metrics-url", new Uri(server.BaseUrl, "metrics").ToString(), "--timeout", "60s", "-o", path).WaitAsync(TimeSpan.FromMinutes(3));

        Assert.True(run.ExitCode == 0, run + "\nserver log tail: " + server.Log[Math.Max(0, server.Log.Length - 1500)..]);
        var levels = JsonNode.Parse(File.ReadAllText(path))!["levels"]!.AsArray();
        Assert.Equal([1.0, 2, 4], levels.Select(l => Cli.Num(l, "concurrency")));
        foreach (var level in levels)
        {
            Assert.True(Cli.Num(level, "errors") == 0, level!.ToJsonString());
            Assert.Equal(12, Cli.Num(level, "completed"));
            Assert.Null(level["efficiencyWithheld"]);
        }
    }
}
