using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Net.Sockets;
using System.Text.Json;

namespace SolProfiler.Agent.Tests.EndToEnd;

/// <summary>
/// A real Prometheus (Debian's package) on a free port of 127.0.0.1, with a temporary data directory, scraping one
/// target every second and evaluating the given rule files every second. Killed and cleaned up on dispose.
/// </summary>
internal sealed class PrometheusServer : IAsyncDisposable
{
    public const string Binary = "/usr/bin/prometheus";

    private readonly Process _process;
    private readonly string _folder;

    private PrometheusServer(Process process, string folder, int port)
    {
        _process = process;
        _folder = folder;
        Http = new HttpClient { BaseAddress = new Uri($"http://127.0.0.1:{port}/"), Timeout = TimeSpan.FromSeconds(10) };
    }

    public HttpClient Http { get; }

    public static bool Installed => File.Exists(Binary);

    public static async Task<PrometheusServer> StartAsync(Uri target, IEnumerable<string> ruleFiles)
    {
        var folder = Directory.CreateTempSubdirectory("solprof-prometheus-").FullName;
        var port = Loopback.FreePort();
        var rules = string.Join("\n", ruleFiles.Select(f => $"  - {f}"));
        var config = $"""
            global:
              scrape_interval: 1s
              evaluation_interval: 1s
            rule_files:
            {rules}
            scrape_configs:
              - job_name: solprof
                metrics_path: /metrics
                static_configs:
                  - targets: ['{target.Authority}']
            """;
        var configPath = Path.Combine(folder, "prometheus.yml");
        await File.WriteAllTextAsync(configPath, config);
        var start = new ProcessStartInfo(Binary)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        foreach (var arg in new[] { $"--config.file={configPath}", $"--storage.tsdb.path={Path.Combine(folder, "data")}", $"--web.listen-address=127.0.0.1:{port}" })
        {
            start.ArgumentList.Add(arg);
        }

        var process = Process.Start(start)!;
        var log = new System.Text.StringBuilder();
        process.OutputDataReceived += (_, e) => log.AppendLine(e.Data);
        process.ErrorDataReceived += (_, e) => log.AppendLine(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var server = new PrometheusServer(process, folder, port);
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while (DateTime.UtcNow < deadline)
        {
            Assert.False(process.HasExited, "prometheus exited at start:\n" + log);
            try
            {
                using var ready = await server.Http.GetAsync(new Uri("-/ready", UriKind.Relative));
                if (ready.StatusCode == HttpStatusCode.OK)
                {
                    return server;
                }
            }
            catch (HttpRequestException)
            {
            }

            await Task.Delay(200);
        }

        await server.DisposeAsync();
        Assert.Fail("prometheus did not become ready:\n" + log);
        return server;
    }

    /// <summary>An instant query; returns the result array (fails the test on an error status).</summary>
    public async Task<JsonElement> QueryAsync(string promql)
    {
        using var response = await Http.GetAsync(new Uri("api/v1/query?query=" + Uri.EscapeDataString(promql), UriKind.Relative));
        var body = await response.Content.ReadFromJsonAsync<JsonElement>();
        Assert.True(body.GetProperty("status").GetString() == "success", $"query `{promql}` failed: {body}");
        return body.GetProperty("data").GetProperty("result");
    }

    public async Task<JsonElement> RulesAsync() =>
        (await Http.GetFromJsonAsync<JsonElement>(new Uri("api/v1/rules", UriKind.Relative))).GetProperty("data").GetProperty("groups");

    public async ValueTask DisposeAsync()
    {
        Http.Dispose();
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
        }

        _process.Dispose();
        try
        {
            Directory.Delete(_folder, recursive: true);
        }
        catch (IOException)
        {
        }
    }
}
