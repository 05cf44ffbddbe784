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

    private readonly NvmlGpuSourceOptions _options;
    private readonly Lock _sync = new();
    private readonly NvmlPcieIntegrator _pcie = new();
    private readonly NvmlGpmSampler _gpm;
    private NvmlSessionHandle? _session;
    // Per device handle (valid for one session), the identity strings of its last read, handed back while the
    // library's bytes still spell them: the GPU name is resolved once per device, not allocated every second.
    private readonly Dictionary<nint, DeviceIdentity> _identities = [];
    private bool _disposed;

    public NvmlGpuSource(NvmlGpuSourceOptions? options = null)
    {
        _options = options ?? new NvmlGpuSourceOptions();
        _gpm = new NvmlGpmSampler(_options.TimeProvider);
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
            var reason = NvmlFieldReader.Describe("nvmlDeviceGetCount_v2", count.Code);
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
                warnings.Add($"GPU {i}: {NvmlFieldReader.Describe("nvmlDeviceGetHandleByIndex_v2", handle.Code)}; skipped");
                continue;
            }

            var sample = ReadDevice((int)i, handle.Value, now, missing, warnings, seen);
            if (sample is not null)
            {
                gpus.Add(sample);
            }
        }

        _gpm.KeepOnly(seen);

        return new GpuSnapshot
        {
            Backend = BackendName,
            Timestamp = now,
            Gpus = gpus,
            MissingFields = InFieldOrder(missing),
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
                return NvmlFieldReader.Describe("nvmlInit_v2", session.Code);
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
        _gpm.Clear();
        _identities.Clear();

        _session?.Dispose();
        _session = null;
    }

    private GpuSample? ReadDevice(int index, nint device, DateTimeOffset now, HashSet<string> missing, List<string> warnings, HashSet<string> seen)
    {
        var reader = new NvmlFieldReader(index, missing, warnings);

        _identities.TryGetValue(device, out var known);
        var name = reader.Take(NvmlDevice.Name(device, known.Name), "name", "nvmlDeviceGetName");
        var uuid = reader.Take(NvmlDevice.Uuid(device, known.Uuid), "uuid", "nvmlDeviceGetUUID");
        var pci = reader.Take(NvmlDevice.PciBusId(device, known.PciBusId), "pciBusId", "nvmlDeviceGetPciInfo_v3");
        _identities[device] = new DeviceIdentity(name, uuid, pci);
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
        var gpm = reader.Lost ? default : _gpm.Read(key, device, reader);

        if (reader.Lost)
        {
            warnings.Add($"GPU {index}: {NvmlFieldReader.Describe("device read", NvmlReturn.GpuIsLost)}; skipped");
            _pcie.Forget(key);
            _gpm.Forget(key);
            return null;
        }

        seen.Add(key);
        var graphics = gpm.Graphics ?? reader.Take(utilizationCall, "graphicsActiveRatio", "nvmlDeviceGetUtilizationRates")?.Gpu / 100.0;

        var (pcieTx, pcieRx) = _pcie.Integrate(uuid ?? $"#{index}", now, pcieTxRate, pcieRxRate);

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

    /// <summary>The missing fields in the order of <see cref="AllFieldOrder"/>, by a loop (this runs every read).</summary>
    private static string[] InFieldOrder(HashSet<string> missing)
    {
        var ordered = new string[missing.Count];
        var n = 0;
        foreach (var field in AllFieldOrder)
        {
            if (missing.Contains(field))
            {
                ordered[n++] = field;
            }
        }

        return n == ordered.Length ? ordered : ordered[..n];
    }

    private readonly record struct DeviceIdentity(string? Name, string? Uuid, string? PciBusId);

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
}
