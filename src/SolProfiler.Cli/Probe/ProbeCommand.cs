using SolProfiler.Cli.Common;
using System.CommandLine;
using System.Globalization;
using SolProfiler.Cli.Sol;
using SolProfiler.Sol;
using SolProfiler.Telemetry.Http;
using SolProfiler.Telemetry.Probe;
using Spectre.Console;

namespace SolProfiler.Cli.Probe;

/// <summary>Output formats of <c>solprof probe</c>.</summary>
public enum ProbeOutputFormat
{
    Table,
    Json,
}

/// <summary>
/// <c>solprof probe</c>: streams N requests through C concurrent clients against an OpenAI-compatible server and
/// reports TTFT, inter-token gaps, TPOT and throughput as the client sees them. Bad settings are user errors
/// (<see cref="SolInputException"/>, exit 2); failed requests are rows in the report. Exit 1 when every request failed.
/// </summary>
public static class ProbeCommand
{
    public const int ExitAllFailed = 1;

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var endpoint = new Option<string>("--endpoint", "-e") { Description = "Server base URL, e.g. http://127.0.0.1:8000 (a trailing /v1 is fine)", Required = true, HelpName = "URL" };
        var model = new Option<string>("--model", "-m") { Description = "Model name the server serves", Required = true, HelpName = "NAME" };
        var api = new Option<ProbeApi>("--api") { Description = "Route: /v1/completions or /v1/chat/completions", DefaultValueFactory = _ => ProbeApi.Completions, HelpName = "completions|chat" };
        var requests = new Option<int>("--requests", "-n") { Description = "Requests to send in all", DefaultValueFactory = _ => 8 };
        var concurrency = new Option<int>("--concurrency", "-c") { Description = "Clients sending at once (closed loop)", DefaultValueFactory = _ => 1 };
        var maxTokens = new Option<int>("--max-tokens") { Description = "max_tokens per request", DefaultValueFactory = _ => 128 };
        var prompt = new Option<string>("--prompt") { Description = "Prompt text (the user message with --api chat)", DefaultValueFactory = _ => ProbeOptions.DefaultPrompt, HelpName = "TEXT" };
        var ignoreEos = new Option<bool>("--ignore-eos") { Description = "Send ignore_eos: true so every request runs to --max-tokens (vLLM, SGLang, TRT-LLM)" };
        var minTokens = new Option<int?>("--min-tokens") { Description = "Send min_tokens (vLLM)" };
        var continuousUsage = new Option<bool>("--continuous-usage") { Description = "Ask for usage on every chunk (vLLM continuous_usage_stats) so multi-token chunks are timed per token" };
        var apiKeyEnv = new Option<string?>("--api-key-env") { Description = "Environment variable holding the API key (sent as Authorization: Bearer)", HelpName = "NAME" };
        var apiKeyFile = new Option<string?>("--api-key-file") { Description = "File holding the API key", HelpName = "PATH" };
        var timeout = new Option<string>("--timeout") { Description = "Per-request limit, from sending to the end of the stream (e.g. 60s, 500ms, 2m)", DefaultValueFactory = _ => "60s", HelpName = "DURATION" };
        var warmup = new Option<int>("--warmup") { Description = "Requests sent first and left out of the results (they pay the client's JIT and connection setup)", DefaultValueFactory = _ => 1 };
        var format = new Option<ProbeOutputFormat>("--format", "-f") { Description = "Output format", DefaultValueFactory = _ => ProbeOutputFormat.Table, HelpName = "table|json" };

        var command = new Command("probe", "Measure TTFT, inter-token latency and TPOT from the client side with streaming requests")
        {
            endpoint, model, api, requests, concurrency, maxTokens, prompt, ignoreEos, minTokens, continuousUsage, apiKeyEnv, apiKeyFile, timeout, warmup, format,
        };

        command.SetAction(async (parse, cancellationToken) =>
        {
            var n = parse.GetValue(requests);
            var c = parse.GetValue(concurrency);
            if (n < 1)
            {
                throw new SolInputException($"--requests must be at least 1 (got {n})");
            }

            if (c < 1)
            {
                throw new SolInputException($"--concurrency must be at least 1 (got {c})");
            }

            var w = parse.GetValue(warmup);
            if (w < 0)
            {
                throw new SolInputException($"--warmup must be 0 or more (got {w})");
            }

            if (parse.GetValue(maxTokens) is var t && t < 1)
            {
                throw new SolInputException($"--max-tokens must be at least 1 (got {t})");
            }

            if (parse.GetValue(apiKeyEnv) is not null && parse.GetValue(apiKeyFile) is not null)
            {
                throw new SolInputException("give either --api-key-env or --api-key-file, not both");
            }

            ProbeOptions options;
            try
            {
                options = new ProbeOptions
                {
                    Endpoint = ProbeOptions.ParseEndpoint(parse.GetValue(endpoint)!),
                    Model = parse.GetValue(model)!,
                    Api = parse.GetValue(api),
                    Prompt = parse.GetValue(prompt)!,
                    MaxTokens = t,
                    IgnoreEos = parse.GetValue(ignoreEos),
                    MinTokens = parse.GetValue(minTokens),
                    ContinuousUsageStats = parse.GetValue(continuousUsage),
                    RequestTimeout = DurationParser.Parse(parse.GetValue(timeout)!, "--timeout"),
                    ApiKeyEnvironmentVariable = parse.GetValue(apiKeyEnv),
                    ApiKeyFile = parse.GetValue(apiKeyFile),
                };
                options.Validate();
            }
            catch (ProbeOptionsException e)
            {
                throw new SolInputException(e.Message, e);
            }

            using var http = ServerHttp.CreateClient(new ServerHttpOptions
            {
                ConnectTimeout = options.RequestTimeout < TimeSpan.FromSeconds(10) ? options.RequestTimeout : TimeSpan.FromSeconds(10),
                MaxConnectionsPerServer = Math.Max(c, 2),
            });
            StreamingProbe probe;
            try
            {
                probe = new StreamingProbe(http, options);
            }
            catch (ProbeOptionsException e)
            {
                throw new SolInputException(e.Message, e);
            }

            // As sweep does: a dead endpoint or a model the server does not list is said now, in one line.
            await EndpointCheck.CheckAsync(http, options, "--model", cancellationToken).ConfigureAwait(false);
            await stderr.WriteLineAsync($"probing {options.RequestUri} ({options.Model}): {n} requests, {Math.Min(c, n)} concurrent").ConfigureAwait(false);
            var runner = new ProbeRunner(probe);
            if (w > 0)
            {
                var warm = await runner.WarmUpAsync(w, cancellationToken).ConfigureAwait(false);
                var failedWarmups = warm.Count(r => !r.Success);
                await stderr.WriteLineAsync($"warm-up: {w - failedWarmups} of {w} requests ok (not counted)").ConfigureAwait(false);
            }

            var progress = new LineProgress(stderr, n);
            var summary = await runner.RunAsync(n, c, progress, cancellationToken).ConfigureAwait(false);
            if (parse.GetValue(format) == ProbeOutputFormat.Json)
            {
                await stdout.WriteLineAsync(ProbeJson.Serialize(options, summary)).ConfigureAwait(false);
            }
            else
            {
                Render(stdout, options, summary);
            }

            return summary.Aggregate.Succeeded == 0 ? ExitAllFailed : CliApp.ExitOk;
        });
        return command;
    }

    /// <summary>The terminal view: settings and totals, latency statistics, then one row per request.</summary>
    public static void Render(TextWriter output, ProbeOptions options, ProbeRunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(summary);
        var console = AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(output) });
        console.Profile.Width = Console.IsOutputRedirected ? 200 : Math.Max(console.Profile.Width, 100);
        var a = summary.Aggregate;

        var grid = new Grid().AddColumn(new GridColumn().NoWrap()).AddColumn();
        grid.AddRow("[bold]Endpoint[/]", Markup.Escape($"{options.RequestUri} ({options.Model})"));
        var eos = options.IgnoreEos ? ", ignore_eos" : "";
        grid.AddRow("[bold]Load[/]", Markup.Escape($"{a.Requests} requests, {a.Concurrency} concurrent clients (closed loop), max {options.MaxTokens} tokens{eos}"));
        var failed = a.Failed > 0 ? $"[red]{a.Failed} failed[/]" : "0 failed";
        grid.AddRow("[bold]Requests[/]", $"{a.Succeeded} ok, {failed} in {Markup.Escape(Units.Seconds(a.WallSeconds))}");
        if (a.Failed > 0)
        {
            grid.AddRow("[bold]Failed by class[/]", Markup.Escape(FailureClasses(a.FailuresByClass, a.HttpStatuses)));
        }
        if (a.OutputTokensPerSecond is { } tps)
        {
            grid.AddRow("[bold]Throughput[/]", Markup.Escape($"{Units.Number(tps)} output tokens/s, {Units.Number(a.RequestsPerSecond ?? 0)} requests/s ({a.TotalOutputTokens} tokens)"));
        }

        grid.AddRow("[bold]Token counts[/]", a.TokensFromUsage ? "from usage.completion_tokens" : "[yellow]one per content chunk where the server sent no usage (a lower bound)[/]");
        console.Write(grid);
        console.WriteLine();

        var stats = new Table().Border(TableBorder.Rounded).Title("Latency over successful requests");
        stats.AddColumn("Metric");
        foreach (var name in new[] { "n", "mean", "p50", "p90", "p99", "max" })
        {
            stats.AddColumn(new TableColumn(name).RightAligned());
        }

        var itlName = summary.Results.Where(r => r.Success && r.ContentChunks > 0).All(r => r.GapsPerToken) ? "ITL (per token)" : "ITL (per chunk)";
        foreach (var (name, s) in new[] { ("TTFT", a.Ttft), (itlName, a.Itl), ("TPOT", a.Tpot), ("E2E", a.EndToEnd) })
        {
            stats.AddRow(s is null
                ? [name, "0", "-", "-", "-", "-", "-"]
                : [name, s.Count.ToString(CultureInfo.InvariantCulture), Units.Seconds(s.Mean), Units.Seconds(s.P50), Units.Seconds(s.P90), Units.Seconds(s.P99), Units.Seconds(s.Max)]);
        }

        console.Write(stats);
        if (a.MeanOutputTokensPerSecondPerRequest is { } perRequest)
        {
            console.WriteLine($"Mean output tokens/s per request (tokens / E2E): {Units.Number(perRequest)}");
        }

        var rows = new Table().Border(TableBorder.Rounded).Title("Requests");
        rows.AddColumn(new TableColumn("#").RightAligned());
        rows.AddColumn("Status");
        foreach (var name in new[] { "TTFT", "TPOT", "mean ITL", "Tokens", "Chunks", "E2E", "tok/s" })
        {
            rows.AddColumn(new TableColumn(name).RightAligned());
        }

        rows.AddColumn("Reason");
        foreach (var r in summary.Results)
        {
            var tokens = !r.Success && r.ContentChunks == 0
                ? "-"
                : r.OutputTokens.ToString(CultureInfo.InvariantCulture) + (r.OutputTokenSource == TokenCountSource.Usage ? "" : "*");
            rows.AddRow(
                new Markup((r.Index + 1).ToString(CultureInfo.InvariantCulture)),
                new Markup(r.Success ? "[green]ok[/]" : $"[red]{Markup.Escape(Kind(r.Failure))}[/]"),
                new Markup(Optional(r.TtftSeconds)),
                new Markup(Optional(r.TpotSeconds)),
                new Markup(Optional(r.MeanInterTokenGapSeconds)),
                new Markup(tokens),
                new Markup(r.ContentChunks.ToString(CultureInfo.InvariantCulture)),
                new Markup(Optional(r.EndToEndSeconds)),
                new Markup(r.OutputTokensPerSecond is { } v ? Units.Number(v) : "-"),
                new Markup(Markup.Escape(r.FailureReason ?? "")));
        }

        console.Write(rows);
        if (summary.Results.Any(r => r.ContentChunks > 0 && r.OutputTokenSource != TokenCountSource.Usage))
        {
            console.WriteLine("* no usage from the server: one token counted per content chunk");
        }

        foreach (var f in a.Failures)
        {
            console.MarkupLine($"[yellow]{f.Count} x {Markup.Escape(Kind(f.Kind))}:[/] {Markup.Escape(f.Reason)}");
        }
    }

    private static string Optional(double? seconds) => seconds is { } s ? Units.Seconds(s) : "-";

    private static string Kind(ProbeFailureKind kind) => ProbeFailureKinds.Label(kind);

    /// <summary>"2 before_headers, 1 http_status (503 x1)": failures by class, with the codes of the HTTP ones.</summary>
    public static string FailureClasses(IReadOnlyDictionary<string, int> byClass, IReadOnlyDictionary<string, int> httpStatuses)
    {
        ArgumentNullException.ThrowIfNull(byClass);
        ArgumentNullException.ThrowIfNull(httpStatuses);
        return string.Join(", ", byClass.Select(kv =>
        {
            var codes = kv.Key == ProbeFailureKinds.Label(ProbeFailureKind.HttpStatus) && httpStatuses.Count > 0
                ? " (" + string.Join(", ", httpStatuses.Select(h => $"HTTP {h.Key} x{h.Value.ToString(CultureInfo.InvariantCulture)}")) + ")"
                : "";
            return $"{kv.Value.ToString(CultureInfo.InvariantCulture)} {kv.Key}{codes}";
        }));
    }

    /// <summary>One line on stderr per finished request.</summary>
    private sealed class LineProgress(TextWriter stderr, int total) : IProgress<ProbeResult>
    {
        private readonly Lock _lock = new();
        private int _done;

        public void Report(ProbeResult value)
        {
            lock (_lock)
            {
                _done++;
                var what = value.Success
                    ? $"ok, {value.OutputTokens} tokens, TTFT {Optional(value.TtftSeconds)}, TPOT {Optional(value.TpotSeconds)}"
                    : $"failed: {value.FailureReason}";
                stderr.WriteLine($"[{_done}/{total}] request {value.Index + 1}: {what}");
            }
        }
    }
}
