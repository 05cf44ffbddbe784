namespace SolProfiler.Agent.Hosting;

/// <summary>
/// The configuration <c>--demo</c> analyses unless the user says otherwise: the simulated server's own deployment
/// (Llama-3.1-70B, FP8 weights, KV and activations, TP 8), with the GPU detected from the stand-in's device name
/// as on a real machine, and the listen address on loopback.
/// </summary>
public static class DemoDefaults
{
    private static readonly (string Key, string Value)[] Defaults =
    [
        ("model", "llama-3.1-70b"),
        ("gpu", "auto"),
        ("tp", "8"),
        ("weights", "fp8"),
        ("kv", "fp8"),
        ("activations", "fp8"),
        ("urls", "http://127.0.0.1:9464"),
    ];

    public static IReadOnlyDictionary<string, string?> Apply(IReadOnlyDictionary<string, string?> flags)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var result = new Dictionary<string, string?>(flags, StringComparer.OrdinalIgnoreCase);
        foreach (var (key, value) in Defaults)
        {
            result.TryAdd(key, value);
        }

        return result;
    }
}
