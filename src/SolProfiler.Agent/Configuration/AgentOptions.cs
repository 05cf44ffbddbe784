using SolProfiler.Analysis;

namespace SolProfiler.Agent.Configuration;

/// <summary>
/// Everything the agent is told, bound from the configuration file, <c>SOLPROF__</c> environment variables and
/// command-line flags (in that order, later wins). The deployment (model, GPU, parallelism, precisions) is
/// <see cref="DeploymentSettings"/>'s, at the top level of the configuration. Validated once at start by <see cref="AgentOptionsValidator"/>.
/// </summary>
public sealed class AgentOptions : DeploymentSettings
{
    public const string SectionName = "Solprof";

    /// <summary>A JSON or YAML file that adds GPUs to the catalog or overrides single keys of one.</summary>
    public string? GpuFile { get; set; }

    public ServingOptions Serving { get; set; } = new();

    public GpuOptions GpuSource { get; set; } = new();

    /// <summary>
    /// The mean context per sequence, tokens, assumed where the server publishes nothing that gives it (no KV usage
    /// with capacity, no slots, no request counter): the last step of the context precedence, labelled
    /// <c>configured-default</c> in the snapshot.
    /// </summary>
    public double Context { get; set; } = OperatingPointBuilder.DefaultContextTokens;

    /// <summary>The sliding window the operating point is measured over.</summary>
    public TimeSpan Window { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often GPUs are read and the analysis is refreshed.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Where Kestrel listens (semicolon-separated). Restrict to loopback with <c>http://127.0.0.1:9464</c>.</summary>
    public string Urls { get; set; } = "http://0.0.0.0:9464";

    public RecordOptions Record { get; set; } = new();

    public GapOptions Gap { get; set; } = new();

    /// <summary>Batch sizes of the published SOL frontier (bounded: at most 32 points).</summary>
    public IList<int> FrontierBatches { get; set; } = [];

    /// <summary>
    /// Start the simulated inference server and the GPU stand-in, and read them (composed by <c>solprof agent</c>, whose
    /// demo section <see cref="DemoConfiguration"/> binds; the host itself only reads the sources it is given).
    /// </summary>
    public bool Demo { get; set; }
}

public sealed class ServingOptions
{
    /// <summary>The server's Prometheus endpoint, e.g. <c>http://127.0.0.1:8000/metrics</c>; null = no serving source.</summary>
    public string? Url { get; set; }

    /// <summary><c>auto</c> (detect from the metric names) or one server kind (vllm, sglang, tgi, ...).</summary>
    public string Kind { get; set; } = "auto";

    public TimeSpan Interval { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>A file holding the bearer token for the metrics endpoint (never logged or exported).</summary>
    public string? ApiKeyFile { get; set; }
}

public sealed class GpuOptions
{
    /// <summary>auto, dcgm, nvml, dcgm-exporter, sim or none (<see cref="SolProfiler.Agent.Sources.GpuBackendNames"/>).</summary>
    public string Backend { get; set; } = "auto";

    /// <summary>The native library to load (DCGM or NVML) instead of the system one.</summary>
    public string? Library { get; set; }

    /// <summary>A running nv-hostengine (host:port or unix socket path) for the dcgm backend.</summary>
    public string? DcgmHost { get; set; }

    /// <summary>The dcgm-exporter /metrics URL for the dcgm-exporter backend.</summary>
    public string? Url { get; set; }

    /// <summary>A saved dcgm-exporter body, read again at every sample, for the dcgm-exporter backend instead of <see cref="Url"/>.</summary>
    public string? File { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(2);
}

public sealed class RecordOptions
{
    /// <summary>A JSONL file that gets one snapshot per window; null = no recording.</summary>
    public string? Path { get; set; }

    /// <summary>Rotate when the file would grow past this many bytes.</summary>
    public long MaxBytes { get; set; } = 64L * 1024 * 1024;

    /// <summary>Rotated files kept (FILE.1.jsonl ... FILE.N.jsonl).</summary>
    public int MaxFiles { get; set; } = 5;
}
