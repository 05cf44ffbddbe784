namespace SolProfiler.Cli.Report;

/// <summary>The colours of the agent's status page (light theme), per gap cause and per SOL component, for SVG and PNG alike.</summary>
internal static class ReportColors
{
    public const string Sol = "#2e9d5b";
    public const string Measured = "#e4572e";
    public const string Frontier = "#2e9d5b";

    /// <summary>Gap causes in the order the status page stacks them: key, name, colour.</summary>
    public static readonly (string Key, string Name, string Color)[] Causes =
    [
        ("idle", "GPU idle", "#8a919c"),
        ("extraBytes", "Extra HBM bytes", "#e07b2c"),
        ("unusedBandwidth", "Unused HBM bandwidth", "#e3b23c"),
        ("communication", "Exposed communication", "#7466d4"),
        ("throttling", "Throttling", "#d64541"),
        ("unattributed", "Unattributed", "#c3c8cf"),
    ];

    /// <summary>SOL step components for the donut: key, name, colour.</summary>
    public static readonly (string Key, string Name, string Color)[] Components =
    [
        ("weights", "Weights", "#3a7fc1"),
        ("kv", "KV cache", "#2aa198"),
        ("compute", "Compute", "#c05fbf"),
        ("comm", "Communication", "#7466d4"),
        ("prefill", "Prompt tokens (prefill)", "#a0672a"),
    ];
}
