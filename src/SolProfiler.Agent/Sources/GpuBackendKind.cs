namespace SolProfiler.Agent.Sources;

/// <summary>Where GPU telemetry comes from: a closed choice, written as <see cref="GpuBackendNames"/> spells it.</summary>
public enum GpuBackendKind
{
    /// <summary>DCGM where its library loads, else NVML; never the stand-ins.</summary>
    Auto,
    Dcgm,
    Nvml,
    DcgmExporter,

    /// <summary>The demo's simulated GPUs on the NVML stand-in (no GPU needed).</summary>
    Sim,

    /// <summary>No GPU telemetry.</summary>
    None,
}

/// <summary>The one spelling of each <see cref="GpuBackendKind"/> on the command line and in configuration files.</summary>
public static class GpuBackendNames
{
    public static IReadOnlyList<GpuBackendKind> All { get; } = Enum.GetValues<GpuBackendKind>();

    public static string Name(GpuBackendKind kind) => kind switch
    {
        GpuBackendKind.DcgmExporter => "dcgm-exporter",
        _ => kind.ToString().ToLowerInvariant(),
    };

    /// <summary>"auto, dcgm, nvml, dcgm-exporter, sim or none", for messages and help.</summary>
    public static string Choices { get; } = string.Join(", ", All.Take(All.Count - 1).Select(Name)) + " or " + Name(All[^1]);

    public static bool TryParse(string? text, out GpuBackendKind kind)
    {
        foreach (var candidate in All)
        {
            if (string.Equals(Name(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                kind = candidate;
                return true;
            }
        }

        kind = default;
        return false;
    }
}
