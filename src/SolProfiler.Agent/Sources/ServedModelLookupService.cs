using Microsoft.Extensions.Hosting;
using SolProfiler.Analysis;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Agent.Sources;

/// <summary>
/// For <c>model: auto</c> against a server whose metrics carry no model label (llama.cpp, TGI): asks the same host's
/// OpenAI-compatible <c>GET /v1/models</c> which ids it serves, and hands them to <see cref="ServerFacts"/>. Waits for
/// the first good scrape (a server that is not up has nothing to list), stops once the ids are had or the model is
/// known, and retries a failed list at a slow pace.
/// </summary>
internal sealed class ServedModelLookupService(ServedModelLookup lookup, ServerFacts facts, SampleInbox inbox, TimeProvider time) : BackgroundService
{
    private static readonly TimeSpan RetryInterval = TimeSpan.FromSeconds(10);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        if (!facts.WantsServedModel)
        {
            return;
        }

        var probe = new ProbeOptions
        {
            Endpoint = ApiBase(lookup.MetricsUrl),
            Model = "auto",
            ApiKeyFile = lookup.ApiKeyFile,
        };
        try
        {
            while (facts.WantsServedModel)
            {
                if (inbox.LatestServing is { } samples && samples.All(s => string.IsNullOrWhiteSpace(s.Model)))
                {
                    var ids = await ServedModels.FetchAsync(lookup.Http, probe, lookup.Timeout, stoppingToken).ConfigureAwait(false);
                    if (ids is { Count: > 0 })
                    {
                        facts.ModelsListed(ids);
                        return;
                    }

                    facts.ModelsUnlisted($"GET {DisplayUri(probe.ModelsUri)} lists none");
                    await Task.Delay(RetryInterval, time, stoppingToken).ConfigureAwait(false);
                    continue;
                }

                await Task.Delay(lookup.Interval, time, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
    }

    /// <summary>The server's base from its metrics URL: <c>http://h:p/metrics</c> (or <c>/prefix/metrics</c>) to <c>http://h:p/</c> (<c>/prefix/</c>).</summary>
    internal static Uri ApiBase(Uri metricsUrl)
    {
        var path = metricsUrl.AbsolutePath;
        var cut = path.EndsWith("/metrics", StringComparison.Ordinal) ? path[..^"metrics".Length] : path[..(path.LastIndexOf('/') + 1)];
        return new UriBuilder(metricsUrl) { Path = cut, Query = "", Fragment = "" }.Uri;
    }

    private static string DisplayUri(Uri uri) => new UriBuilder(uri) { UserName = "", Password = "", Query = "" }.Uri.ToString();
}
