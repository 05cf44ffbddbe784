using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using SolProfiler.Agent.Sources;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Agent.Tests.Sources;

/// <summary>
/// The sampling loop's back-off against a server that refuses every connection, on a fake clock: the waits between
/// attempts double from the interval up to the cap (1, 2, 4, 8, 15, 15 s), and no attempt comes early. Real scrapes of
/// 127.0.0.1 (refused at once), no wall-clock waits for the back-off itself.
/// </summary>
public sealed class SamplingBackoffTests
{
    [Fact]
    public async Task A_down_server_is_retried_at_doubling_intervals_up_to_the_cap()
    {
        var time = new FakeTimeProvider(new DateTimeOffset(2026, 12, 3, 0, 0, 0, TimeSpan.Zero));
        using var http = new HttpClient();
        var refused = new Uri($"http://127.0.0.1:{Loopback.FreePort()}/metrics");
        var health = new SourceHealth("serving", "vllm", refused.ToString());
        var endpoint = new ServingEndpoint(new ServingScraper(http), new ScrapeOptions { Url = refused, Timeout = TimeSpan.FromSeconds(2) });
        using var sampler = new ServingSamplerService(
            new ServingSampling(endpoint, health, TimeSpan.FromSeconds(1)), new SampleInbox(), NullLogger<ServingSamplerService>.Instance, time);

        await sampler.StartAsync(CancellationToken.None);
        await AttemptsReach(health, 1);

        // After n failures the loop waits Delay(1 s, n, 15 s): 1, 2, 4, 8, 15, 15 s.
        var waits = new[] { 1, 2, 4, 8, 15, 15 };
        for (var i = 0; i < waits.Length; i++)
        {
            var attempts = i + 1;
            time.Advance(TimeSpan.FromSeconds(waits[i]) - TimeSpan.FromMilliseconds(1));
            await Task.Delay(50); // a retry due now would have been made by the time this returns
            Assert.Equal(attempts, health.ConsecutiveFailures); // not a millisecond early
            time.Advance(TimeSpan.FromMilliseconds(1));
            await AttemptsReach(health, attempts + 1);
        }

        Assert.False(health.Up);
        Assert.Equal(waits.Length + 1, health.Status().Errors.Values.Sum()); // the first attempt and one after each wait
        await sampler.StopAsync(CancellationToken.None);
    }

    private static async Task AttemptsReach(SourceHealth health, int attempts)
    {
        var deadline = DateTime.UtcNow.AddSeconds(10);
        while (health.ConsecutiveFailures < attempts && DateTime.UtcNow < deadline)
        {
            await Task.Delay(5);
        }

        Assert.Equal(attempts, health.ConsecutiveFailures);
    }
}
