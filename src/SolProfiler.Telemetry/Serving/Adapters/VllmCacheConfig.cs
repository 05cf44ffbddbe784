using System.Globalization;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Serving.Adapters;

/// <summary>
/// What vLLM's <c>cache_config_info</c> info series says about the KV cache besides its capacity: the data type it
/// was allocated in and the tokens per block. The agent fills an unset <c>--kv</c> from the first and warns when a
/// set one disagrees, so the label is carried as published (the adapter does not interpret it).
/// </summary>
internal static class VllmCacheConfig
{
    /// <summary>
    /// Whether a cache-config info series belongs to the engine (and model) of <paramref name="key"/>: by its
    /// <c>engine</c> and <c>model_name</c> labels where it has them, else to every engine.
    /// </summary>
    internal static bool Matches(MetricSample info, SeriesKey key)
    {
        var engine = info.LabelValue("engine");
        if (engine is not null && !string.Equals(engine, key.Engine, StringComparison.Ordinal))
        {
            return false;
        }

        var model = info.LabelValue("model_name");
        return model is null || key.Model is null || string.Equals(model, key.Model, StringComparison.Ordinal);
    }

    /// <summary>
    /// <paramref name="sample"/> with the info series' <c>cache_dtype</c> and <c>block_size</c> of its engine (matched
    /// by the <c>engine</c> and <c>model_name</c> labels where the series has them, as the capacity is).
    /// </summary>
    public static ServingSample Describe(IReadOnlyList<MetricSample> infos, SeriesKey key, ServingSample sample)
    {
        foreach (var info in infos)
        {
            if (!VllmCacheConfig.Matches(info, key))
            {
                continue;
            }

            var dtype = info.LabelValue("cache_dtype") is { Length: > 0 and <= 64 } d ? d.Trim() : null;
            double? blockSize = double.TryParse(info.LabelValue("block_size"), NumberStyles.Float, CultureInfo.InvariantCulture, out var size) && size > 0 && double.IsFinite(size)
                ? size
                : null;
            return dtype is null && blockSize is null ? sample : sample with { KvCacheDtype = dtype, KvCacheBlockSize = blockSize };
        }

        return sample;
    }
}
