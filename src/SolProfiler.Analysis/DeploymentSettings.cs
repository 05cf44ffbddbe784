namespace SolProfiler.Analysis;

/// <summary>
/// The deployment as the user described it: the model, the GPU and the parallelism and precisions, each left unset
/// (or <c>auto</c>) where the sources are to tell it. The agent's options extend it (its configuration keys are these
/// properties' names), so the deployment is declared once.
/// </summary>
public class DeploymentSettings
{
    /// <summary>
    /// A model catalog id (e.g. <c>llama-3.1-70b</c>), the path of a Hugging Face <c>config.json</c>, or <c>auto</c>: the
    /// model the server says it serves (its model label or <c>GET /v1/models</c>), matched to the catalog or found in
    /// the Hugging Face cache (<see cref="ServerFacts"/>).
    /// </summary>
    public string? Model { get; set; }

    /// <summary>A GPU catalog id, or <c>auto</c> to detect it from the device name the GPU source reports.</summary>
    public string Gpu { get; set; } = "auto";

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
}
