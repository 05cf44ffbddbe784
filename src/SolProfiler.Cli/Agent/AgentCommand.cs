using System.CommandLine;
using SolProfiler.Agent.Configuration;
using SolProfiler.Agent.Sources;
using SolProfiler.Cli.Options;

namespace SolProfiler.Cli.Agent;

/// <summary>
/// <c>solprof agent</c>: runs the sidecar until interrupted. Every flag is also a config-file key and a
/// <c>SOLPROF__</c> environment variable; flags win. A bad configuration prints every problem, naming its key, and
/// exits 2 before anything starts.
/// </summary>
public static class AgentCommand
{
    /// <summary>Flag, configuration key, help text.</summary>
    private static readonly (string Flag, string Key, string Help)[] Settings =
    [
        ("--serving-url", "serving:url", "The inference server's metrics URL, e.g. http://127.0.0.1:8000/metrics"),
        ("--serving-interval", "serving:interval", "Scrape interval (default 1s)"),
        ("--serving-timeout", "serving:timeout", "Give up on one scrape after this long (default 2s)"),
        ("--api-key-file", "serving:apiKeyFile", "File holding a bearer token for the metrics URL (never logged)"),
        ("--context", "context", "Mean context per sequence (tokens) assumed when the server tells nothing that gives it (default 1024)"),
        ("--window", "window", "Sliding window the operating point is measured over (default 30s)"),
        ("--sample-interval", "sampleInterval", "GPU read and analysis interval (default 1s)"),
        ("--urls", "urls", "Listen URLs, ';'-separated (default http://0.0.0.0:9464; http://127.0.0.1:9464 for loopback only)"),
        ("--record", "record:path", "Append one snapshot per window to this JSONL file"),
        ("--record-max-bytes", "record:maxBytes", "Rotate the recording past this size (default 67108864)"),
        ("--record-max-files", "record:maxFiles", "Rotated recordings kept (default 5)"),
        ("--comm-sm-share", "gap:commSmShare", "Share of SMs the collective kernels occupy (default 0.15)"),
    ];

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var config = new Option<string?>("--config", "-c") { Description = "Config file (YAML or JSON) with the same keys as the flags" };
        var demo = new Option<bool>("--demo") { Description = "Start a simulated inference server and GPU stand-in (8 x H100, Llama-3.1-70B FP8, TP8) and analyse them" };
        var frontier = new Option<string?>("--frontier-batches") { Description = "Batch sizes of the published SOL frontier, e.g. 1,8,64,256 (default powers of two to 1024)" };
        var command = new Command("agent", "Run the sidecar: GPU and serving telemetry -> SOL -> gap, on /metrics, /api/v1/snapshot and /") { config, demo, frontier };
        var deployment = new DeploymentOptions(new DeploymentHelp(
            "--model",
            ModelDefault: "or auto: the model the server serves",
            GpuDefault: "or auto: detected from the device name (default)",
            TpDefault: "the GPU count the GPU source sees / PP; 1 without a GPU source",
            KvDefault: "the server's KV-cache dtype where it tells, else the model's"));
        var gpuSource = new GpuSourceOptions(GpuBackendKind.Auto);
        var server = ServerKindOption.Create();
        deployment.AddTo(command);
        gpuSource.AddTo(command);
        command.Options.Add(server);
        var flags = Settings.Select(s => (Option: new Option<string?>(s.Flag) { Description = s.Help }, s.Key)).ToArray();
        foreach (var (option, _) in flags)
        {
            command.Options.Add(option);
        }

        command.SetAction(async (parse, cancellationToken) =>
        {
            var given = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            deployment.AddConfiguration(parse, given);
            gpuSource.AddConfiguration(parse, given);
            if (ServerKindOption.ConfigurationValue(parse, server) is { } kind)
            {
                given["serving:kind"] = kind;
            }
            foreach (var (option, key) in flags)
            {
                if (parse.GetValue(option) is { } value)
                {
                    given[key] = value;
                }
            }

            if (parse.GetValue(frontier) is { } batches)
            {
                var list = batches.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries);
                for (var i = 0; i < list.Length; i++)
                {
                    given[$"frontierBatches:{i}"] = list[i];
                }
            }

            if (parse.GetValue(demo))
            {
                given["demo"] = "true";
            }

            return await AgentRunner.RunAsync(parse.GetValue(config), given, stdout, stderr, cancellationToken).ConfigureAwait(false);
        });
        return command;
    }
}
