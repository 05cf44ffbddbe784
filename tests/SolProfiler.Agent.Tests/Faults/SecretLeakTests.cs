using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;
using SolProfiler.Agent.Tests.Integration;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Agent.Tests.Faults;

/// <summary>
/// The serving API key (serving:apiKeyFile) goes to the server as a Bearer token and nowhere else: not into a log
/// line, /metrics, the JSON snapshot or the status page, even when the server echoes it back in a reason phrase,
/// an error body, a malformed line or a label value.
/// </summary>
[Trait("Category", "Fault")]
[Collection(NativeStandInGroup.Name)]
public sealed class SecretLeakTests : IDisposable
{
    private const string Key = "sk-solprof-test-4f1d9c2b7e";
    private readonly string _keyFile = Path.Combine(Path.GetTempPath(), $"solprof-key-{Guid.NewGuid():N}");

    public SecretLeakTests() => File.WriteAllText(_keyFile, Key + "\n");

    public void Dispose() => File.Delete(_keyFile);

    [Theory]
    [InlineData(ScriptMode.EchoKeyUnauthorized)]
    [InlineData(ScriptMode.EchoKeyInBody)]
    public async Task The_key_never_leaves_in_logs_metrics_snapshot_or_status_page(ScriptMode mode)
    {
        var logs = new CapturedLogs();
        await using var server = await ScriptedVllmServer.StartAsync();
        NvmlStandIn.Reset();
        await using var agent = await AgentUnderTest.StartAsync(logs,
            ("model", "llama-3.1-70b"), ("tp", "8"), ("weights", "fp8"), ("kv", "fp8"), ("activations", "fp8"),
            ("gpuSource:backend", "sim"), ("gpuSource:library", NvmlStandIn.LibraryPath),
            ("serving:url", server.MetricsUrl.ToString()), ("serving:apiKeyFile", _keyFile));
        await agent.WaitForSnapshotAsync(s => s.GetProperty("valid").GetBoolean(), "a valid window");
        Assert.Equal("Bearer " + Key, server.LastAuthorization); // the key does reach the server

        server.Mode = mode;
        if (mode == ScriptMode.EchoKeyUnauthorized)
        {
            await agent.WaitForMetricsAsync(
                d => d.Samples("sol_source_errors_total").Any(s => s.LabelValue("source") == "serving" && s.LabelValue("reason") == "http_status" && s.Value >= 1),
                "the 401 counted");
            var snapshot = await agent.WaitForSnapshotAsync(
                s => s.GetProperty("sources").EnumerateArray().Any(x => x.GetProperty("source").GetString() == "serving" && x.GetProperty("lastError").GetString()?.Contains("401", StringComparison.Ordinal) == true),
                "the 401 in the snapshot");
            var serving = snapshot.GetProperty("sources").EnumerateArray().Single(s => s.GetProperty("source").GetString() == "serving");
            Assert.Contains("[redacted]", serving.GetProperty("lastError").GetString(), StringComparison.Ordinal); // echoed, and taken out
        }
        else
        {
            await Task.Delay(TimeSpan.FromSeconds(2)); // scrapes whose model name and a malformed line carry the key

            // Nothing the agent shows today carries a server's model name or a malformed line, so the check below
            // alone could not fail: the scrape the agent works from must already have the key taken out.
            using var http = new HttpClient();
            var scrape = await new ServingScraper(http).ScrapeAsync(new ScrapeOptions { Url = server.MetricsUrl, ApiKey = Key });
            Assert.Contains(scrape.Samples, x => x.Model?.Contains(KeyRedaction.Mark, StringComparison.Ordinal) == true);
            Assert.DoesNotContain(scrape.Samples, x => x.Model?.Contains(Key, StringComparison.Ordinal) == true);
            Assert.True(scrape.ParseErrors > 0);
            Assert.All(scrape.ParseErrorExamples, e => Assert.DoesNotContain(Key, e, StringComparison.Ordinal));
        }

        var texts = new[]
        {
            await agent.Http.GetStringAsync(new Uri("metrics", UriKind.Relative)),
            await agent.Http.GetStringAsync(new Uri("api/v1/snapshot", UriKind.Relative)),
            await agent.Http.GetStringAsync(new Uri("", UriKind.Relative)),
            string.Join("\n", logs.Lines),
        };
        Assert.All(texts, t => Assert.DoesNotContain(Key, t, StringComparison.Ordinal));
        Assert.NotEmpty(logs.Lines); // the capture works: the agent did log the failure
    }
}
