namespace SolProfiler.Telemetry.Serving;

/// <summary>Inference-server families whose /metrics SolProfiler reads. JSON names: see <see cref="ServerKinds.Name"/>.</summary>
public enum ServerKind
{
    Unknown,
    Vllm,
    VllmV0,
    Nim,
    Sglang,
    Tgi,
    TrtLlm,
    TritonTrtLlm,
    LlamaCpp,
    Dynamo,
}

public static class ServerKinds
{
    private static readonly (ServerKind Kind, string Name)[] Names =
    [
        (ServerKind.Unknown, "unknown"),
        (ServerKind.Vllm, "vllm"),
        (ServerKind.VllmV0, "vllm-v0"),
        (ServerKind.Nim, "nim"),
        (ServerKind.Sglang, "sglang"),
        (ServerKind.Tgi, "tgi"),
        (ServerKind.TrtLlm, "trtllm"),
        (ServerKind.TritonTrtLlm, "triton-trtllm"),
        (ServerKind.LlamaCpp, "llamacpp"),
        (ServerKind.Dynamo, "dynamo"),
    ];

    /// <summary>The name used in JSON, options and logs (<c>vllm</c>, <c>vllm-v0</c>, <c>triton-trtllm</c>, ...).</summary>
    public static string Name(ServerKind kind) => Names.First(n => n.Kind == kind).Name;

    public static IReadOnlyList<string> KnownNames { get; } = Names.Where(n => n.Kind != ServerKind.Unknown).Select(n => n.Name).ToArray();

    public static bool TryParse(string text, out ServerKind kind)
    {
        foreach (var (k, name) in Names)
        {
            if (string.Equals(name, text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = k;
                return true;
            }
        }

        kind = ServerKind.Unknown;
        return false;
    }
}
