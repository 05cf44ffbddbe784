namespace SolProfiler.Agent.Configuration;

/// <summary>
/// Everything the agent is told, bound from the configuration file, <c>SOLPROF__</c> environment variables and
/// command-line flags (in that order, later wins). Validated once at start by <see cref="AgentOptionsValidator"/>.
/// </summary>
public sealed class AgentOptions
{
    public const string SectionName = "Solprof";

    /// <summary>
    /// A model catalog id (e.g. <c>llama-3.1-70b</c>), the path of a Hugging Face <c>config.json</c>, or <c>auto</c>: the
    /// model the server says it serves (its model label or <c>GET /v1/models</c>), matched to the catalog or found in
    /// the Hugging Face cache (<see cref="Analysis.ServerFacts"/>).
    /// </summary>
    public string? Model { get; set; }

    /// <summary>A GPU catalog id, or <c>auto</c> to detect it from the device name the GPU source reports.</summary>
    public string Gpu { get; set; } = "auto";

    /// <summary>A JSON or YAML file that adds GPUs to the catalog or overrides single keys of one.</summary>
    public string? GpuFile { get; set; }

    /// <summary>Tensor-parallel degree; null (unset) = the GPU count the GPU source sees, divided by PP (1 without a GPU source).</summary>
    public int? Tp { get; set; }

    public int Pp { get; set; } = 1;

    public int Ep { get; set; } = 1;

    public int AttentionDp { get; set; } = 1;

    /// <summary>Weight precision (bf16, fp16, fp8, int8, int4, nvfp4, mxfp4); null = what the model's config says.</summary>
    public string? Weights { get; set; }

    public string? ExpertWeights { get; set; }

    /// <summary>KV-cache precision; null = what the server says it allocated (vLLM's <c>cache_dtype</c>), else the model's dtype.</summary>
    public string? Kv { get; set; }

    public string? Activations { get; set; }

    /// <summary>Expert dispatch precision (MoE with EP); null = fp8 where the GEMMs take 8-bit or narrower inputs, else the model dtype.</summary>
    public string? Dispatch { get; set; }

    public ServingOptions Serving { get; set; } = new();

    public GpuOptions GpuSource { get; set; } = new();

    /// <summary>
    /// The mean context per sequence, tokens, assumed where the server publishes nothing that gives it (no KV usage
    /// with capacity, no slots, no request counter): the last step of the context precedence, labelled
    /// <c>configured-default</c> in the snapshot.
    /// </summary>
    public double Context { get; set; } = Analysis.OperatingPointBuilder.DefaultContextTokens;

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

    /// <summary>Start the simulated inference server and the GPU stand-in, and read them.</summary>
    public bool Demo { get; set; }

    /// <summary>The simulated deployment and its inefficiencies (<c>demoSettings:*</c>), used with <see cref="Demo"/>.</summary>
    public Demo.DemoOptions DemoSettings { get; set; } = new();
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
    /// <summary>auto, dcgm, nvml, sim, dcgm-exporter, or none.</summary>
    public string Backend { get; set; } = "auto";

    /// <summary>The native library to load (DCGM or NVML) instead of the system one.</summary>
    public string? Library { get; set; }

    /// <summary>A running nv-hostengine (host:port or unix socket path) for the dcgm backend.</summary>
    public string? DcgmHost { get; set; }

    /// <summary>The dcgm-exporter /metrics URL for the dcgm-exporter backend.</summary>
    public string? Url { get; set; }

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

public sealed class GapOptions
{
    /// <summary>
    /// Fraction of SMs the collective kernels (NCCL) keep busy while they run. SM activity during communication is
    /// about this, and near 1 during the memory-bound GEMMs, which is what separates the two in the busy time.
    /// </summary>
    public double CommSmShare { get; set; } = 0.15;

    /// <summary>Fewer inter-token observations than this in the window and the step time is not trusted.</summary>
    public double MinTokenObservations { get; set; } = 20;
}
