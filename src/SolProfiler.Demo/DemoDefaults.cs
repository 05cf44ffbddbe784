namespace SolProfiler.Demo;

/// <summary>
/// The configuration <c>--demo</c> analyses unless the user says otherwise: the simulated server's own deployment
/// (Llama-3.1-70B, FP8 weights, KV and activations, TP 8), with the GPU detected from the stand-in's device name
/// as on a real machine, and the listen address on loopback. A config file, a variable or a flag overrides each.
/// </summary>
public static class DemoDefaults
{
    /// <summary>The defaults as the agent's configuration keys, layered under every other layer.</summary>
    public static IEnumerable<KeyValuePair<string, string?>> Values { get; } =
    [
        new("model", "llama-3.1-70b"),
        new("gpu", "auto"),
        new("tp", "8"),
        new("weights", "fp8"),
        new("kv", "fp8"),
        new("activations", "fp8"),
        new("urls", "http://127.0.0.1:9464"),
    ];
}
