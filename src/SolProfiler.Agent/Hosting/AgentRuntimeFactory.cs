using SolProfiler.Analysis;
using SolProfiler.Agent.Configuration;
using SolProfiler.Agent.Sources;
using SolProfiler.Sol;
using SolProfiler.Sol.Models;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Probe;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Agent.Hosting;

/// <summary>
/// Turns validated options into live sources: the scraper for the serving endpoint, the GPU backend, and the SOL
/// setup. Anything that cannot start (a GPU library that the backend requires, an unreadable key file) is an
/// <see cref="AgentConfigurationException"/> naming the key, raised before the host starts.
/// </summary>
public static class AgentRuntimeFactory
{
    /// <param name="options">Validated options.</param>
    /// <param name="owned">Resources disposed with the runtime (the demo's simulated server).</param>
    /// <param name="gpuOverride">A GPU source made elsewhere (the demo's driven stand-in), used instead of the configured backend.</param>
    /// <param name="simulated">Makes the <c>sim</c> backend (see <see cref="GpuSourceFactory.Create"/>).</param>
    public static AgentRuntime Create(AgentOptions options, IReadOnlyList<IAsyncDisposable>? owned = null, IGpuSource? gpuOverride = null, Func<string?, IGpuSource>? simulated = null)
    {
        ArgumentNullException.ThrowIfNull(options);
        // Scrapes of the server, its /slots and dcgm-exporter: a request on a connection the server closed is retried once on a fresh one.
        var http = Telemetry.Http.ServerHttp.CreateClient(new Telemetry.Http.ServerHttpOptions { PooledConnectionLifetime = TimeSpan.FromMinutes(5), AutomaticDecompression = System.Net.DecompressionMethods.All });
        var disposables = new List<IAsyncDisposable> { new DisposableHttpClient(http) };
        disposables.AddRange(owned ?? []);

        ServingEndpoint? serving = null;
        SourceHealth? servingHealth = null;
        if (options.Serving.Url is { } url)
        {
            string? key;
            try
            {
                key = ApiKeySource.Read(null, options.Serving.ApiKeyFile);
            }
            catch (ProbeOptionsException e)
            {
                throw new AgentConfigurationException("serving:apiKeyFile (--api-key-file): " + e.Message, e);
            }

            var scrape = new ScrapeOptions
            {
                Url = new Uri(url),
                Timeout = options.Serving.Timeout,
                ForcedServer = options.Serving.Kind.Equals("auto", StringComparison.OrdinalIgnoreCase) ? null : Parse(options.Serving.Kind),
                ApiKey = key,
            };
            serving = new ServingEndpoint(new ServingScraper(http), scrape);
            servingHealth = new SourceHealth("serving", options.Serving.Kind.ToLowerInvariant(), scrape.DisplayUrl);
        }

        IGpuSource? gpu = gpuOverride;
        if (!GpuBackendNames.TryParse(options.GpuSource.Backend, out var backend))
        {
            throw new AgentConfigurationException($"gpuSource:backend (--gpu-backend): '{options.GpuSource.Backend}' is not a GPU backend; known: {GpuBackendNames.Choices}");
        }

        if (gpu is null && backend != GpuBackendKind.None)
        {
            try
            {
                var choice = GpuSourceFactory.Create(
                    new GpuBackendRequest(backend, options.GpuSource.Library, options.GpuSource.Url, options.GpuSource.File, options.GpuSource.Timeout, options.GpuSource.DcgmHost),
                    http,
                    simulated);
                gpu = choice.Source;
            }
            catch (SolInputException e)
            {
                throw new AgentConfigurationException("gpuSource:backend (--gpu-backend): " + e.Message, e);
            }
        }

        var gpuHealth = gpu is null ? null : new SourceHealth("gpu", gpu.Backend, backend == GpuBackendKind.DcgmExporter ? options.GpuSource.Url ?? options.GpuSource.File : null);
        if (gpu is null && options.Gpu.Equals("auto", StringComparison.OrdinalIgnoreCase))
        {
            throw new AgentConfigurationException("gpu (--gpu): auto needs a GPU source to read the device name from; set --gpu to a catalog id or choose a --gpu-backend");
        }

        SolSetup sol;
        try
        {
            // Set up after the sources: what the user left unset waits for the source that tells it.
            sol = new SolSetup(options, CatalogFiles.Gpus(options.GpuFile), awaitGpuCount: gpu is not null, awaitServerKv: serving is not null);
        }
        catch (SolInputException e)
        {
            throw new AgentConfigurationException("model/gpu: " + e.Message, e);
        }

        return new AgentRuntime
        {
            Options = options,
            Serving = serving,
            ServingHealth = servingHealth,
            Gpu = gpu,
            GpuHealth = gpuHealth,
            Sol = sol,
            ServerFacts = new ServerFacts(options, sol, HfCache.HubFolder(Environment.GetEnvironmentVariable)),
            Http = http,
            Owned = disposables,
        };
    }

    private static ServerKind Parse(string kind) =>
        ServerKinds.TryParse(kind, out var k) ? k : throw new AgentConfigurationException($"serving:kind (--server): '{kind}' is not a server kind");

    private sealed class DisposableHttpClient(HttpClient http) : IAsyncDisposable
    {
        public ValueTask DisposeAsync()
        {
            http.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
