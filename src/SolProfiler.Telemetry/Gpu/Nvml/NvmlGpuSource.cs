namespace SolProfiler.Telemetry.Gpu.Nvml;

/// <summary>
/// GPU telemetry through NVML (libnvidia-ml.so.1). Opens an NVML session on the first read (and again after a read
/// found it unusable), reads every GPU once per <see cref="ReadAsync"/>, and shuts the session down on dispose.
/// Never throws for library or device faults: a missing library or failed init gives a down snapshot, a field a
/// device does not support is null and listed in <see cref="GpuSnapshot.MissingFields"/>, a lost GPU is skipped with a warning.
/// </summary>
/// <remarks>
/// Field sources and units: power <c>nvmlDeviceGetPowerUsage</c> mW→W; energy <c>nvmlDeviceGetTotalEnergyConsumption</c>
/// mJ→J; power limit <c>nvmlDeviceGetEnforcedPowerLimit</c> mW→W; clocks <c>nvmlDeviceGetClockInfo</c> (SM=1, MEM=2) MHz→Hz;
/// GPU temperature <c>nvmlDeviceGetTemperatureV</c> (else the deprecated <c>nvmlDeviceGetTemperature</c>) °C; memory temperature field 82 °C; memory used/total
/// <c>nvmlDeviceGetMemoryInfo_v2</c> bytes (v1 fallback, whose "used" includes reserved memory); graphics activity
/// GPM GRAPHICS_UTIL (1) where GPM gives it, else <c>nvmlUtilization_t.gpu</c> (an integer percent over the driver's
/// own sample period) %→ratio; NVLink tx/rx fields 138/139 (all links) KiB→bytes; throttle reasons
/// <c>nvmlDeviceGetCurrentClocksEventReasons</c> bits→names. PCIe tx/rx: NVML only gives a KB/s rate over a ~20 ms
/// window (<c>nvmlDeviceGetPcieThroughput</c>), so the byte counters are this source's trapezoidal integral of that rate
/// (KB taken as 1024 bytes) between reads, starting at 0 on a GPU's first read: an estimate, not a hardware counter.
/// GPM (Hopper and later, <c>nvmlGpmQueryDeviceSupport</c>): two samples are allocated per GPU once, one is taken per read,
/// and from a GPU's second read on the ratios come from <c>nvmlGpmMetricsGet</c> over (previous, current), percent→ratio:
/// dramActiveRatio DRAM_BW_UTIL (10), smActiveRatio SM_UTIL (2), smOccupancyRatio SM_OCCUPANCY (3), tensorActiveRatio
/// ANY_TENSOR_UTIL (5), and graphicsActiveRatio GRAPHICS_UTIL (1), which falls back to the utilization rates silently when
/// missing. On a GPU's first read, and on GPUs or libraries without GPM, they are null and listed missing
/// without a warning. NVML wants GPM samples taken more than 100 ms apart. Always missing: xidErrors.
/// </remarks>
public sealed class NvmlGpuSource : IGpuSource, IDisposable
{
    public const string BackendName = "nvml";

    private static readonly string[] AlwaysMissing = ["xidErrors"];

    // The graphics metric comes last: it is optional (the utilization rates stand in for it), so it has no GpmFields entry.
    private static readonly uint[] GpmMetricIds =
        [NvmlGpmMetricId.DramBwUtil, NvmlGpmMetricId.SmUtil, NvmlGpmMetricId.SmOccupancy, NvmlGpmMetricId.AnyTensorUtil, NvmlGpmMetricId.GraphicsUtil];

    private static readonly string[] GpmFields = ["dramActiveRatio", "smActiveRatio", "smOccupancyRatio", "tensorActiveRatio"];

    private static readonly TimeSpan GpmMinimumInterval = TimeSpan.FromMilliseconds(100);

    private readonly NvmlGpuSourceOptions _options;
    private readonly Lock _sync = new();
    private readonly Dictionary<string, PcieIntegral> _pcie = new(StringComparer.Ordinal);
    private readonly Dictionary<string, GpmState> _gpm = new(StringComparer.Ordinal);
    private NvmlSessionHandle? _session;
    private bool _disposed;

    public NvmlGpuSource(NvmlGpuSourceOptions? options = null)
    {
        _options = options ?? new NvmlGpuSourceOptions();
    }

    public string Backend => BackendName;

    /// <summary>The driver version NVML reported when the session opened, if any.</summary>
    public string? DriverVersion { get; private set; }

    /// <summary>Whether an NVML session is currently open (one nvmlInit reference held).</summary>
    public bool IsOpen
    {
        get
        {
            lock (_sync)
            {
                return _session is { IsClosed: false };
            }
        }
    }

    public Task<GpuSnapshot> ReadAsync(CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        lock (_sync)
        {
            return Task.FromResult(Read());
        }
    }

    public void Dispose()
    {
        lock (_sync)
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            CloseSession();
            _pcie.Clear();
        }
    }

    public ValueTask DisposeAsync()
    {
        Dispose();
        return ValueTask.CompletedTask;
    }

    private GpuSnapshot Read()
    {
        var now = _options.TimeProvider.GetUtcNow();
        if (_disposed)
        {
            return Down(now, "NVML source disposed");
        }

        if (_session is null)
        {
            var opened = Open();
            if (opened is not null)
            {
                return Down(now, opened);
            }
        }

        var count = NvmlDevice.Count();
        if (!count.IsSuccess)
        {
            // The session is unusable (e.g. UNINITIALIZED, DRIVER_NOT_LOADED): drop it so the next read re-initialises.
            var reason = Describe("nvmlDeviceGetCount_v2", count.Code);
            CloseSession();
            return Down(now, reason);
        }

        var warnings = new List<string>();
        var missing = new HashSet<string>(AlwaysMissing, StringComparer.Ordinal);
        var gpus = new List<GpuSample>((int)count.Value);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (uint i = 0; i < count.Value; i++)
        {
            var handle = NvmlDevice.HandleByIndex(i);
            if (!handle.IsSuccess)
            {
                warnings.Add($"GPU {i}: {Describe("nvmlDeviceGetHandleByIndex_v2", handle.Code)}; skipped");
                continue;
            }

            var sample = ReadDevice((int)i, handle.Value, now, missing, warnings, seen);
            if (sample is not null)
            {
                gpus.Add(sample);
            }
        }

        foreach (var gone in _gpm.Keys.Where(key => !seen.Contains(key)).ToList())
        {
            FreeGpm(gone);
        }

        return new GpuSnapshot
        {
            Backend = BackendName,
            Timestamp = now,
            Gpus = gpus,
            MissingFields = [.. AllFieldOrder.Where(missing.Contains)],
            Warnings = warnings,
        };
    }

    private string? Open()
    {
        try
        {
            if (!NvmlLibrary.TryLoad(_options.LibraryPath, out var error))
            {
                return error;
            }

            var session = NvmlSessionHandle.Open();
            if (!session.IsSuccess)
            {
                return Describe("nvmlInit_v2", session.Code);
            }

            _session = session.Value;
            var driver = NvmlDevice.DriverVersion();
            DriverVersion = driver.OrNull();
            return null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or InvalidOperationException)
        {
            CloseSession();
            return $"NVML could not be used: {ex.Message}";
        }
    }

    private void CloseSession()
    {
        // GPM samples belong to the NVML session: free them while it is still open.
        foreach (var key in _gpm.Keys.ToList())
        {
            FreeGpm(key);
        }

        _session?.Dispose();
        _session = null;
    }

    private GpuSample? ReadDevice(int index, nint device, DateTimeOffset now, HashSet<string> missing, List<string> warnings, HashSet<string> seen)
    {
        var reader = new FieldReader(index, missing, warnings);

        var name = reader.Take(NvmlDevice.Name(device), "name", "nvmlDeviceGetName");
        var uuid = reader.Take(NvmlDevice.Uuid(device), "uuid", "nvmlDeviceGetUUID");
        var pci = reader.Take(NvmlDevice.PciBusId(device), "pciBusId", "nvmlDeviceGetPciInfo_v3");
        var power = reader.Take(NvmlDevice.PowerMilliwatts(device), "powerWatts", "nvmlDeviceGetPowerUsage");
        var energy = reader.Take(NvmlDevice.EnergyMillijoules(device), "energyJoules", "nvmlDeviceGetTotalEnergyConsumption");
        var limit = reader.Take(NvmlDevice.EnforcedPowerLimitMilliwatts(device), "powerLimitWatts", "nvmlDeviceGetEnforcedPowerLimit");
        var smClock = reader.Take(NvmlDevice.ClockMegahertz(device, NvmlNative.ClockSm), "smClockHz", "nvmlDeviceGetClockInfo(SM)");
        var memClock = reader.Take(NvmlDevice.ClockMegahertz(device, NvmlNative.ClockMem), "memClockHz", "nvmlDeviceGetClockInfo(MEM)");
        var temperature = reader.Take(NvmlDevice.GpuTemperatureCelsius(device), "gpuTemperatureCelsius", NvmlLibrary.Has("nvmlDeviceGetTemperatureV") ? "nvmlDeviceGetTemperatureV" : "nvmlDeviceGetTemperature");
        // Read now (same call order as before), judged after GPM: a GPM graphics ratio makes a failed call irrelevant.
        var utilizationCall = NvmlDevice.Utilization(device);
        if (utilizationCall.Code == NvmlReturn.GpuIsLost)
        {
            reader.Take(utilizationCall, "graphicsActiveRatio", "nvmlDeviceGetUtilizationRates");
        }
        var reasons = reader.Take(NvmlDevice.ClocksEventReasons(device), "throttleReasons", "nvmlDeviceGetCurrentClocksEventReasons");

        double? memoryUsed = null, memoryTotal = null;
        var memory = NvmlDevice.MemoryV2(device);
        if (memory.IsSuccess)
        {
            memoryUsed = memory.Value.Used;
            memoryTotal = memory.Value.Total;
        }
        else if (memory.Code is NvmlReturn.FunctionNotFound or NvmlReturn.ArgumentVersionMismatch or NvmlReturn.NotSupported)
        {
            var v1 = reader.Take(NvmlDevice.MemoryV1(device), "memoryUsedBytes", "nvmlDeviceGetMemoryInfo");
            if (v1 is { } m)
            {
                memoryUsed = m.Used;
                memoryTotal = m.Total;
            }
            else
            {
                missing.Add("memoryTotalBytes");
            }
        }
        else
        {
            reader.Take(memory, "memoryUsedBytes", "nvmlDeviceGetMemoryInfo_v2");
            missing.Add("memoryTotalBytes");
        }

        Span<NvmlFieldValue> fields =
        [
            new() { FieldId = NvmlFieldId.MemoryTemperature },
            new() { FieldId = NvmlFieldId.NvlinkThroughputDataTx, ScopeId = NvmlFieldId.AllLinks },
            new() { FieldId = NvmlFieldId.NvlinkThroughputDataRx, ScopeId = NvmlFieldId.AllLinks },
        ];
        var fieldsCall = NvmlDevice.FieldValues(device, fields);
        double? memoryTemperature = reader.TakeField(fieldsCall, fields[0], "memoryTemperatureCelsius");
        double? nvlinkTx = reader.TakeField(fieldsCall, fields[1], "nvlinkTxBytes") * 1024.0;
        double? nvlinkRx = reader.TakeField(fieldsCall, fields[2], "nvlinkRxBytes") * 1024.0;

        var pcieTxRate = reader.Take(NvmlDevice.PcieThroughputKilobytesPerSecond(device, NvmlNative.PcieTxBytes), "pcieTxBytes", "nvmlDeviceGetPcieThroughput(TX)");
        var pcieRxRate = reader.Take(NvmlDevice.PcieThroughputKilobytesPerSecond(device, NvmlNative.PcieRxBytes), "pcieRxBytes", "nvmlDeviceGetPcieThroughput(RX)");

        var key = uuid ?? $"#{index}";
        var gpm = reader.Lost ? default : ReadGpm(key, device, reader);

        if (reader.Lost)
        {
            warnings.Add($"GPU {index}: {Describe("device read", NvmlReturn.GpuIsLost)}; skipped");
            _pcie.Remove(key);
            FreeGpm(key);
            return null;
        }

        seen.Add(key);
        var graphics = gpm.Graphics ?? reader.Take(utilizationCall, "graphicsActiveRatio", "nvmlDeviceGetUtilizationRates")?.Gpu / 100.0;

        var (pcieTx, pcieRx) = IntegratePcie(uuid ?? $"#{index}", now, pcieTxRate, pcieRxRate);

        return new GpuSample
        {
            Index = index,
            Timestamp = now,
            Uuid = uuid,
            Name = name,
            PciBusId = pci,
            PowerWatts = power / 1000.0,
            EnergyJoules = energy / 1000.0,
            PowerLimitWatts = limit / 1000.0,
            SmClockHz = smClock * 1e6,
            MemClockHz = memClock * 1e6,
            GpuTemperatureCelsius = temperature,
            MemoryTemperatureCelsius = memoryTemperature,
            MemoryUsedBytes = memoryUsed,
            MemoryTotalBytes = memoryTotal,
            GraphicsActiveRatio = graphics,
            DramActiveRatio = gpm.Dram,
            SmActiveRatio = gpm.Sm,
            SmOccupancyRatio = gpm.Occupancy,
            TensorActiveRatio = gpm.Tensor,
            NvlinkTxBytes = nvlinkTx,
            NvlinkRxBytes = nvlinkRx,
            PcieTxBytes = pcieTx,
            PcieRxBytes = pcieRx,
            ThrottleReasons = reasons is { } mask ? ClockEventReasons.Decode(mask) : null,
        };
    }

    /// <summary>One GPM sample for the GPU and, when a previous one exists, the four ratios over (previous, current).</summary>
    private GpmRatios ReadGpm(string key, nint device, FieldReader reader)
    {
        if (!_gpm.TryGetValue(key, out var state))
        {
            state = CreateGpm(device, reader);
            if (state is null)
            {
                reader.Missing(GpmFields);
                return default;
            }

            _gpm[key] = state;
        }

        if (!state.Supported)
        {
            reader.Missing(GpmFields);
            return default;
        }

        // NVML wants the two samples more than 100 ms apart (nvml.h, nvmlGpmMetricsGet; on Hopper closer samples give
        // invalid values, DCGM#310). A read that comes sooner takes no sample and repeats the last interval's ratios.
        // The clock is read before this sample and after the older one, so the library's own interval is longer still.
        if (state.HasOlder && _options.TimeProvider.GetElapsedTime(state.OlderTakenAt) <= GpmMinimumInterval)
        {
            if (state.Last is not { } last)
            {
                reader.Missing(GpmFields);
                return default;
            }

            double?[] repeated = [last.Dram, last.Sm, last.Occupancy, last.Tensor];
            reader.Missing(GpmFields.Where((_, i) => repeated[i] is null));
            return last;
        }

        var taken = NvmlDevice.GpmSampleGet(device, state.Newer);
        var takenAt = _options.TimeProvider.GetTimestamp();
        if (taken != NvmlReturn.Success)
        {
            state.HasOlder = false;
            state.Last = null;
            reader.NoteAll(taken, GpmFields, "nvmlGpmSampleGet");
            return default;
        }

        if (!state.HasOlder)
        {
            // First sample for this GPU: nothing to compare with yet; not a fault.
            state.HasOlder = true;
            state.Swap(takenAt);
            reader.Missing(GpmFields);
            return default;
        }

        Span<NvmlGpmMetric> results = stackalloc NvmlGpmMetric[GpmMetricIds.Length];
        var call = NvmlDevice.GpmMetrics(state.Older, state.Newer, GpmMetricIds, results);
        state.Swap(takenAt);
        state.Last = null;
        if (call != NvmlReturn.Success)
        {
            reader.NoteAll(call, GpmFields, "nvmlGpmMetricsGet");
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
            else if (i < GpmFields.Length)
            {
                reader.NoteAll(metric.Return == NvmlReturn.Success ? NvmlReturn.Unknown : metric.Return, [GpmFields[i]], $"nvmlGpmMetricsGet({GpmMetricIds[i]})");
            }
        }

        var read = new GpmRatios(ratios[0], ratios[1], ratios[2], ratios[3], ratios[4]);
        state.Last = read;
        return read;
    }

    /// <summary>Queries GPM support and allocates the GPU's two samples; null when it should be retried next read.</summary>
    private static GpmState? CreateGpm(nint device, FieldReader reader)
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

            reader.NoteAll(support.Code, GpmFields, "nvmlGpmQueryDeviceSupport");
            return null;
        }

        if (!support.Value)
        {
            return new GpmState(false, 0, 0);
        }

        var first = NvmlDevice.GpmSampleAlloc();
        if (!first.IsSuccess)
        {
            reader.NoteAll(first.Code, GpmFields, "nvmlGpmSampleAlloc");
            return null;
        }

        var second = NvmlDevice.GpmSampleAlloc();
        if (!second.IsSuccess)
        {
            NvmlDevice.GpmSampleFree(first.Value);
            reader.NoteAll(second.Code, GpmFields, "nvmlGpmSampleAlloc");
            return null;
        }

        return new GpmState(true, first.Value, second.Value);
    }

    private void FreeGpm(string key)
    {
        if (_gpm.Remove(key, out var state) && state.Supported)
        {
            NvmlDevice.GpmSampleFree(state.Older);
            NvmlDevice.GpmSampleFree(state.Newer);
        }
    }

    private (double? Tx, double? Rx) IntegratePcie(string key, DateTimeOffset now, uint? txKbps, uint? rxKbps)
    {
        if (txKbps is null || rxKbps is null)
        {
            // No rate this time: hold nothing over the gap; the next good read restarts the integral's time base.
            if (_pcie.TryGetValue(key, out var held))
            {
                _pcie[key] = held with { At = null };
            }

            return (null, null);
        }

        double tx = txKbps.Value * 1024.0, rx = rxKbps.Value * 1024.0;
        if (!_pcie.TryGetValue(key, out var state))
        {
            state = new PcieIntegral(0, 0, tx, rx, now);
        }
        else if (state.At is { } at && now > at)
        {
            var dt = (now - at).TotalSeconds;
            state = new PcieIntegral(state.TxBytes + ((state.TxRate + tx) / 2 * dt), state.RxBytes + ((state.RxRate + rx) / 2 * dt), tx, rx, now);
        }
        else
        {
            state = state with { TxRate = tx, RxRate = rx, At = now };
        }

        _pcie[key] = state;
        return (state.TxBytes, state.RxBytes);
    }

    private static string Describe(string call, NvmlReturn code) =>
        $"{call}: {NvmlLibrary.ErrorString(code)} (NVML_ERROR {(int)code} {code})";

    private static GpuSnapshot Down(DateTimeOffset now, string reason) => new()
    {
        Backend = BackendName,
        Timestamp = now,
        DownReason = reason,
        MissingFields = [.. AllFieldOrder],
    };

    private static readonly string[] AllFieldOrder =
    [
        "uuid", "name", "pciBusId", "powerWatts", "energyJoules", "powerLimitWatts", "smClockHz", "memClockHz",
        "gpuTemperatureCelsius", "memoryTemperatureCelsius", "memoryUsedBytes", "memoryTotalBytes", "graphicsActiveRatio",
        "smActiveRatio", "smOccupancyRatio", "tensorActiveRatio", "dramActiveRatio", "nvlinkTxBytes", "nvlinkRxBytes",
        "pcieTxBytes", "pcieRxBytes", "throttleReasons", "xidErrors",
    ];

    private readonly record struct GpmRatios(double? Dram, double? Sm, double? Occupancy, double? Tensor, double? Graphics);

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

    private sealed record PcieIntegral(double TxBytes, double RxBytes, double TxRate, double RxRate, DateTimeOffset? At);

    /// <summary>Turns per-call results into nullable values, recording missing fields, warnings and GPU loss.</summary>
    private sealed class FieldReader(int index, HashSet<string> missing, List<string> warnings)
    {
        public bool Lost { get; private set; }

        public T? Take<T>(NvmlResult<T> result, string field, string call)
            where T : struct
        {
            if (result.IsSuccess)
            {
                return result.Value;
            }

            Note(result.Code, field, call);
            return null;
        }

        public string? Take(NvmlResult<string> result, string field, string call)
        {
            if (result.IsSuccess)
            {
                return result.Value;
            }

            Note(result.Code, field, call);
            return null;
        }

        public double? TakeField(NvmlReturn call, in NvmlFieldValue value, string field)
        {
            var code = call != NvmlReturn.Success ? call : value.Return;
            if (code == NvmlReturn.Success && value.AsDouble() is { } v)
            {
                return v;
            }

            Note(code == NvmlReturn.Success ? NvmlReturn.Unknown : code, field, $"nvmlDeviceGetFieldValues({value.FieldId})");
            return null;
        }

        /// <summary>Lists the fields missing without a warning (data not available yet, or not on this device).</summary>
        public void Missing(IEnumerable<string> fields)
        {
            foreach (var field in fields)
            {
                missing.Add(field);
            }
        }

        /// <summary>One failed call behind several fields: all listed missing, at most one warning.</summary>
        public void NoteAll(NvmlReturn code, string[] fields, string call)
        {
            Missing(fields);
            Note(code, fields[0], call);
        }

        private void Note(NvmlReturn code, string field, string call)
        {
            missing.Add(field);
            if (code == NvmlReturn.GpuIsLost)
            {
                Lost = true;
            }
            else if (code is not (NvmlReturn.NotSupported or NvmlReturn.FunctionNotFound or NvmlReturn.NoData))
            {
                warnings.Add($"GPU {index}: {Describe(call, code)}");
            }
        }
    }
}
