using SolProfiler.Telemetry.Gpu;

namespace SolProfiler.Agent.Sources;

/// <summary>What the serving sampler needs: the scrape, its health and its interval. Registered only with a serving source.</summary>
internal sealed record ServingSampling(ServingEndpoint Endpoint, SourceHealth Health, TimeSpan Interval);

/// <summary>What the GPU sampler needs: the source, its health and the sample interval. Registered only with a GPU source.</summary>
internal sealed record GpuSampling(IGpuSource Source, SourceHealth Health, TimeSpan Interval);

/// <summary>What the served-model lookup needs to ask the server's <c>GET /v1/models</c>.</summary>
internal sealed record ServedModelLookup(Uri MetricsUrl, HttpClient Http, string? ApiKeyFile, TimeSpan Timeout, TimeSpan Interval);
