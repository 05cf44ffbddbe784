namespace SolProfiler.Agent.Sources;

/// <summary>The settings of a GPU source, each of which a rule may find wrong.</summary>
public enum GpuSourceSetting
{
    Backend,
    Library,
    DcgmHost,
    ExporterUrl,
    ExporterFile,
    Timeout,
}

/// <summary>
/// Which GPU-source settings go together, checked in one place for the command-line flags and the agent's
/// configuration file alike. Each problem names the setting it is about; the caller spells it (the flag the user typed,
/// or the configuration key and its flag).
/// </summary>
public static class GpuSourceRules
{
    /// <summary>The one command-line spelling of each setting, in every command.</summary>
    public static string Flag(GpuSourceSetting setting) => setting switch
    {
        GpuSourceSetting.Backend => "--gpu-backend",
        GpuSourceSetting.Library => "--gpu-library",
        GpuSourceSetting.DcgmHost => "--dcgm-host",
        GpuSourceSetting.ExporterUrl => "--dcgm-exporter-url",
        GpuSourceSetting.ExporterFile => "--dcgm-exporter-file",
        _ => "--gpu-timeout",
    };

    /// <summary>
    /// The problems of a request, each with the setting it is about (the caller puts that setting's name in front);
    /// <paramref name="spell"/> names the other settings a message refers to.
    /// </summary>
    public static IEnumerable<(GpuSourceSetting Setting, string Message)> Check(GpuBackendRequest request, Func<GpuSourceSetting, string> spell)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(spell);
        var backend = spell(GpuSourceSetting.Backend);
        if (request.Backend == GpuBackendKind.DcgmExporter)
        {
            if (request.Url is not null && request.File is not null)
            {
                yield return (GpuSourceSetting.ExporterFile, $"give the exporter's URL ({spell(GpuSourceSetting.ExporterUrl)}) or a saved body, not both");
            }
            else if (request.File is { } file)
            {
                if (!File.Exists(file))
                {
                    yield return (GpuSourceSetting.ExporterFile, $"file '{file}' does not exist");
                }
            }
            else if (request.Url is not { } url)
            {
                yield return (GpuSourceSetting.Backend, $"dcgm-exporter needs the exporter's http(s) /metrics URL ({spell(GpuSourceSetting.ExporterUrl)}) or a saved body ({spell(GpuSourceSetting.ExporterFile)})");
            }
            else if (!(Uri.TryCreate(url, UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https"))
            {
                yield return (GpuSourceSetting.ExporterUrl, $"'{url}' is not an http(s) URL");
            }
        }
        else
        {
            foreach (var (setting, given) in new[] { (GpuSourceSetting.ExporterUrl, request.Url), (GpuSourceSetting.ExporterFile, request.File) })
            {
                if (given is not null)
                {
                    yield return (setting, $"goes with {backend} dcgm-exporter");
                }
            }
        }

        if (request.DcgmHost is not null && request.Backend is not (GpuBackendKind.Dcgm or GpuBackendKind.Auto))
        {
            yield return (GpuSourceSetting.DcgmHost, $"goes with {backend} dcgm (or auto)");
        }

        if (request.Library is not null && request.Backend is GpuBackendKind.DcgmExporter or GpuBackendKind.None)
        {
            yield return (GpuSourceSetting.Library, $"goes with {backend} nvml, dcgm, sim or auto");
        }
    }
}
