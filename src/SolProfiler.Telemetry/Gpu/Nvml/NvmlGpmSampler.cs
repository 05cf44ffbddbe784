namespace SolProfiler.Telemetry.Gpu.Nvml;

/// <summary>
/// GPM (Hopper and later, <c>nvmlGpmQueryDeviceSupport</c>) for the NVML source: two samples allocated per GPU once,
/// one taken per read, and from a GPU's second read on the ratios from <c>nvmlGpmMetricsGet</c> over (previous,
/// current), percent to ratio. NVML wants the samples more than 100 ms apart. Owned by one source, under its lock.
/// </summary>
internal sealed class NvmlGpmSampler(TimeProvider time)
{
    // The graphics metric comes last: it is optional (the utilization rates stand in for it), so it has no Fields entry.
    private static readonly uint[] GpmMetricIds =
        [NvmlGpmMetricId.DramBwUtil, NvmlGpmMetricId.SmUtil, NvmlGpmMetricId.SmOccupancy, NvmlGpmMetricId.AnyTensorUtil, NvmlGpmMetricId.GraphicsUtil];

    internal static readonly string[] Fields = ["dramActiveRatio", "smActiveRatio", "smOccupancyRatio", "tensorActiveRatio"];

    private static readonly TimeSpan MinimumInterval = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<string, GpmState> _gpm = new(StringComparer.Ordinal);

    /// <summary>One GPM sample for the GPU and, when a previous one exists, the four ratios over (previous, current).</summary>
    public GpmRatios Read(string key, nint device, NvmlFieldReader reader)
    {
        if (!_gpm.TryGetValue(key, out var state))
        {
            state = Create(device, reader);
            if (state is null)
            {
                reader.Missing(Fields);
                return default;
            }

            _gpm[key] = state;
        }

        if (!state.Supported)
        {
            reader.Missing(Fields);
            return default;
        }

        // NVML wants the two samples more than 100 ms apart (nvml.h, nvmlGpmMetricsGet; on Hopper closer samples give
        // invalid values, DCGM#310). A read that comes sooner takes no sample and repeats the last interval's ratios.
        // The clock is read before this sample and after the older one, so the library's own interval is longer still.
        if (state.HasOlder && time.GetElapsedTime(state.OlderTakenAt) <= MinimumInterval)
        {
            if (state.Last is not { } last)
            {
                reader.Missing(Fields);
                return default;
            }

            double?[] repeated = [last.Dram, last.Sm, last.Occupancy, last.Tensor];
            reader.Missing(Fields.Where((_, i) => repeated[i] is null));
            return last;
        }

        var taken = NvmlDevice.GpmSampleGet(device, state.Newer);
        var takenAt = time.GetTimestamp();
        if (taken != NvmlReturn.Success)
        {
            state.HasOlder = false;
            state.Last = null;
            reader.NoteAll(taken, Fields, "nvmlGpmSampleGet");
            return default;
        }

        if (!state.HasOlder)
        {
            // First sample for this GPU: nothing to compare with yet; not a fault.
            state.HasOlder = true;
            state.Swap(takenAt);
            reader.Missing(Fields);
            return default;
        }

        Span<NvmlGpmMetric> results = stackalloc NvmlGpmMetric[GpmMetricIds.Length];
        var call = NvmlDevice.GpmMetrics(state.Older, state.Newer, GpmMetricIds, results);
        state.Swap(takenAt);
        state.Last = null;
        if (call != NvmlReturn.Success)
        {
            reader.NoteAll(call, Fields, "nvmlGpmMetricsGet");
            return default;
        }

        var ratios = new double?[GpmMetricIds.Length];
        for (var i = 0; i < ratios.Length; i++)
        {
            var metric = results[i];
            if (metric.Return == NvmlReturn.Success && double.IsFinite(metric.Value))
            {
                ratios[i] = Math.Clamp(metric.Value, 0.0, 100.0) / 100.0;
            }
            else if (i < Fields.Length)
            {
                reader.NoteAll(metric.Return == NvmlReturn.Success ? NvmlReturn.Unknown : metric.Return, [Fields[i]], $"nvmlGpmMetricsGet({GpmMetricIds[i]})");
            }
        }

        var read = new GpmRatios(ratios[0], ratios[1], ratios[2], ratios[3], ratios[4]);
        state.Last = read;
        return read;
    }

    /// <summary>Queries GPM support and allocates the GPU's two samples; null when it should be retried next read.</summary>
    private static GpmState? Create(nint device, NvmlFieldReader reader)
    {
        if (!NvmlDevice.HasGpm)
        {
            return new GpmState(false, 0, 0);
        }

        var support = NvmlDevice.GpmSupported(device);
        if (!support.IsSuccess)
        {
            if (support.Code is NvmlReturn.NotSupported or NvmlReturn.FunctionNotFound)
            {
                return new GpmState(false, 0, 0);
            }

            reader.NoteAll(support.Code, Fields, "nvmlGpmQueryDeviceSupport");
            return null;
        }

        if (!support.Value)
        {
            return new GpmState(false, 0, 0);
        }

        var first = NvmlDevice.GpmSampleAlloc();
        if (!first.IsSuccess)
        {
            reader.NoteAll(first.Code, Fields, "nvmlGpmSampleAlloc");
            return null;
        }

        var second = NvmlDevice.GpmSampleAlloc();
        if (!second.IsSuccess)
        {
            NvmlDevice.GpmSampleFree(first.Value);
            reader.NoteAll(second.Code, Fields, "nvmlGpmSampleAlloc");
            return null;
        }

        return new GpmState(true, first.Value, second.Value);
    }

    /// <summary>Frees a GPU's samples (it was lost, or is no longer listed).</summary>
    public void Forget(string key)
    {
        if (_gpm.Remove(key, out var state) && state.Supported)
        {
            NvmlDevice.GpmSampleFree(state.Older);
            NvmlDevice.GpmSampleFree(state.Newer);
        }
    }

    /// <summary>Frees the samples of every GPU not in <paramref name="seen"/> (GPUs that went away).</summary>
    public void KeepOnly(HashSet<string> seen)
    {
        foreach (var gone in _gpm.Keys.Where(key => !seen.Contains(key)).ToList())
        {
            Forget(gone);
        }
    }

    /// <summary>Frees every sample (before the NVML session they belong to closes).</summary>
    public void Clear()
    {
        foreach (var key in _gpm.Keys.ToList())
        {
            Forget(key);
        }
    }

    internal readonly record struct GpmRatios(double? Dram, double? Sm, double? Occupancy, double? Tensor, double? Graphics);

    /// <summary>A GPU's two GPM samples: <see cref="Newer"/> is filled by the next read, <see cref="Older"/> holds the last one.</summary>
    private sealed class GpmState(bool supported, nint older, nint newer)
    {
        public bool Supported { get; } = supported;

        public nint Older { get; private set; } = older;

        public nint Newer { get; private set; } = newer;

        public bool HasOlder { get; set; }

        /// <summary>When <see cref="Older"/> was taken (<see cref="TimeProvider.GetTimestamp"/>, read after the call).</summary>
        public long OlderTakenAt { get; private set; }

        /// <summary>The ratios of the last complete interval, repeated by a read that comes too soon for a sample.</summary>
        public GpmRatios? Last { get; set; }

        public void Swap(long takenAt)
        {
            (Older, Newer) = (Newer, Older);
            OlderTakenAt = takenAt;
        }
    }
}
