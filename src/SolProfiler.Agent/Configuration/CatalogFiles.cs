using SolProfiler.Sol.Hardware;

namespace SolProfiler.Agent.Configuration;

/// <summary>
/// The GPU catalog a command or the agent works with: the built-in one, with the user's <c>--gpu-file</c> (JSON or
/// YAML) layered over it when given. One place, so <c>sol</c>, <c>sweep</c> and the agent read the same GPUs.
/// </summary>
public static class CatalogFiles
{
    public static GpuCatalog Gpus(string? gpuFile) =>
        gpuFile is { } file ? GpuCatalog.BuiltIn.WithOverrides(StructuredFileReader.Read(file), file) : GpuCatalog.BuiltIn;
}
