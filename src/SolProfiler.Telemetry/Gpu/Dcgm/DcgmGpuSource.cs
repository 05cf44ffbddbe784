using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu.Dcgm;

/// <summary>
/// GPU telemetry through DCGM (libdcgm.so.4): an embedded host engine, or a connection to a standalone nv-hostengine.
/// On the first read (and after a failure) it opens a session, makes a group of all GPUs and a field group of the
/// device and profiling fields, watches it and then reads the latest values with <c>dcgmEntitiesGetLatestValues</c>.
/// Never throws for library or device faults: a missing library, failed start or lost connection gives a down snapshot
/// and the next read after a back-off (1 s doubling to 30 s) opens again; a blank value is null and listed in
/// <see cref="GpuSnapshot.MissingFields"/>; refused profiling fields fall back to device fields with a warning.
/// </summary>
/// <remarks>
/// Units (reference §3): power 155 W; energy 156 mJ→J; enforced limit 164 W; clocks 100/101 MHz→Hz; temperatures
/// 150/140 °C; FB used/total 252/250 MiB→bytes; GR_ENGINE_ACTIVE 1001 ratio (else GPU_UTIL 203 %→ratio); SM_ACTIVE 1002,
/// SM_OCCUPANCY 1003, PIPE_TENSOR_ACTIVE 1004, DRAM_ACTIVE 1005 ratios; PCIe 1009/1010 and NVLink 1011/1012 bytes/s
/// into the *BytesPerSecond fields; clock event reasons 112 bitmask; last XID 230.
/// </remarks>
public sealed class DcgmGpuSource : IGpuSource, IDisposable
{
    public const string BackendName = "dcgm";

    internal static readonly TimeSpan FirstBackoff = TimeSpan.FromSeconds(1);
    internal static readonly TimeSpan MaxBackoff = TimeSpan.FromSeconds(30);

    private const double Mebibyte = 1024.0 * 1024.0;

    private static readonly (string Name, Func<GpuSample, object?> Get)[] AllFields =
    [
        ("uuid", s => s.Uuid), ("name", s => s.Name), ("pciBusId", s => s.PciBusId), ("powerWatts", s => s.PowerWatts),
        ("energyJoules", s => s.EnergyJoules), ("powerLimitWatts", s => s.PowerLimitWatts), ("smClockHz", s => s.SmClockHz),
        ("memClockHz", s => s.MemClockHz), ("gpuTemperatureCelsius", s => s.GpuTemperatureCelsius),
        ("memoryTemperatureCelsius", s => s.MemoryTemperatureCelsius), ("memoryUsedBytes", s => s.MemoryUsedBytes),
        ("memoryTotalBytes", s => s.MemoryTotalBytes), ("graphicsActiveRatio", s => s.GraphicsActiveRatio),
        ("smActiveRatio", s => s.SmActiveRatio), ("smOccupancyRatio", s => s.SmOccupancyRatio),
        ("tensorActiveRatio", s => s.TensorActiveRatio), ("dramActiveRatio", s => s.DramActiveRatio),
        ("nvlinkTxBytes", s => s.NvlinkTxBytes ?? s.NvlinkTxBytesPerSecond), ("nvlinkRxBytes", s => s.NvlinkRxBytes ?? s.NvlinkRxBytesPerSecond),
        ("pcieTxBytes", s => s.PcieTxBytes ?? s.PcieTxBytesPerSecond), ("pcieRxBytes", s => s.PcieRxBytes ?? s.PcieRxBytesPerSecond),
        ("throttleReasons", s => s.ThrottleReasons), ("xidErrors", s => s.XidErrors),
    ];

    private static readonly DcgmReturn[] ProfilingRefusals =
    [
        DcgmReturn.ModuleNotLoaded, DcgmReturn.RequiresRoot, DcgmReturn.ProfilingNotSupported, DcgmReturn.ProfilingLibraryError,
        DcgmReturn.ProfilingMultiPass, DcgmReturn.NoPermission, DcgmReturn.NotSupported,
    ];

    private readonly DcgmGpuSourceOptions _options;
    private readonly Lock _sync = new();
    private DcgmSessionHandle? _session;
    private nuint _group;
    private nuint _fieldGroup;
    private bool _watching;
    private ushort[] _fields = [];
    private DcgmGroupEntityPair[] _entities = [];
    private DcgmFieldValueV2[] _values = [];
    private string? _profilingWarning;
    private DateTimeOffset? _retryAt;
    private TimeSpan _backoff = FirstBackoff;
    private string? _lastDownReason;
    private bool _disposed;

    public DcgmGpuSource(DcgmGpuSourceOptions? options = null)
    {
        _options = options ?? new DcgmGpuSourceOptions();
    }

    public string Backend => BackendName;

    /// <summary>Whether a DCGM session (engine or connection, with its watches) is open.</summary>
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

    /// <summary>Whether the open session watches the profiling (DCGM_FI_PROF_*) fields.</summary>
    public bool ProfilingWatched
    {
        get
        {
            lock (_sync)
            {
                return _session is not null && _profilingWarning is null;
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
            Close();
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
            return Down(now, "DCGM source disposed");
        }

        if (_session is null)
        {
            if (_retryAt is { } retryAt && now < retryAt)
            {
                return Down(now, $"{_lastDownReason}; next attempt in {(retryAt - now).TotalSeconds:0.###} s");
            }

            var failure = Open();
            if (failure is not null)
            {
                return Fail(now, failure);
            }
        }

        var code = DcgmNative.EntitiesGetLatestValues(
            _session!.Value, ref MemoryMarshal.GetArrayDataReference(_entities), (uint)_entities.Length,
            ref MemoryMarshal.GetArrayDataReference(_fields), (uint)_fields.Length, 0, ref MemoryMarshal.GetArrayDataReference(_values));
        if (code != DcgmReturn.Ok)
        {
            var reason = DcgmLibrary.Describe("dcgmEntitiesGetLatestValues", code);
            Close();
            return Fail(now, code == DcgmReturn.ConnectionNotValid ? $"host engine connection lost: {reason}" : reason);
        }

        _retryAt = null;
        _backoff = FirstBackoff;
        return Build(now);
    }

    private GpuSnapshot Build(DateTimeOffset now)
    {
        var warnings = new List<string>();
        if (_profilingWarning is not null)
        {
            warnings.Add(_profilingWarning);
        }

        var perGpu = new Dictionary<uint, Dictionary<ushort, int>>();
        for (var i = 0; i < _values.Length; i++)
        {
            ref readonly var v = ref _values[i];
            if (v.Version != DcgmFieldValueV2.VersionWord || v.EntityGroupId != DcgmValues.EntityGroupGpu)
            {
                continue;
            }

            if (!perGpu.TryGetValue(v.EntityId, out var map))
            {
                perGpu[v.EntityId] = map = [];
            }

            map[v.FieldId] = i;
        }

        var gpus = new List<GpuSample>(_entities.Length);
        foreach (var entity in _entities)
        {
            var map = perGpu.GetValueOrDefault(entity.EntityId) ?? [];
            var reader = new DcgmValueReader(_values, entity.EntityId, map, warnings);
            var reasons = reader.Number(DcgmFields.ClockEventReasons);
            gpus.Add(new GpuSample
            {
                Index = (int)entity.EntityId,
                Timestamp = now,
                Name = reader.Text(DcgmFields.Name),
                Uuid = reader.Text(DcgmFields.Uuid),
                PciBusId = reader.Text(DcgmFields.PciBusId),
                PowerWatts = reader.Number(DcgmFields.Power),
                EnergyJoules = reader.Number(DcgmFields.Energy) / 1000.0,
                PowerLimitWatts = reader.Number(DcgmFields.PowerLimit),
                SmClockHz = reader.Number(DcgmFields.SmClock) * 1e6,
                MemClockHz = reader.Number(DcgmFields.MemClock) * 1e6,
                GpuTemperatureCelsius = reader.Number(DcgmFields.GpuTemperature),
                MemoryTemperatureCelsius = reader.Number(DcgmFields.MemoryTemperature),
                MemoryUsedBytes = reader.Number(DcgmFields.FbUsed) * Mebibyte,
                MemoryTotalBytes = reader.Number(DcgmFields.FbTotal) * Mebibyte,
                GraphicsActiveRatio = reader.Number(DcgmFields.GrEngineActive) ?? (reader.Number(DcgmFields.GpuUtil) / 100.0),
                SmActiveRatio = reader.Number(DcgmFields.SmActive),
                SmOccupancyRatio = reader.Number(DcgmFields.SmOccupancy),
                TensorActiveRatio = reader.Number(DcgmFields.TensorActive),
                DramActiveRatio = reader.Number(DcgmFields.DramActive),
                PcieTxBytesPerSecond = reader.Number(DcgmFields.PcieTx),
                PcieRxBytesPerSecond = reader.Number(DcgmFields.PcieRx),
                NvlinkTxBytesPerSecond = reader.Number(DcgmFields.NvlinkTx),
                NvlinkRxBytesPerSecond = reader.Number(DcgmFields.NvlinkRx),
                ThrottleReasons = reasons is { } mask ? ClockEventReasons.Decode((ulong)mask) : null,
                XidErrors = reader.Number(DcgmFields.Xid),
            });
        }

        return new GpuSnapshot
        {
            Backend = BackendName,
            Timestamp = now,
            Gpus = gpus,
            MissingFields = gpus.Count == 0 ? [] : [.. AllFields.Where(f => gpus.All(g => f.Get(g) is null)).Select(f => f.Name)],
            Warnings = warnings,
        };
    }

    /// <summary>Opens the session, group, field group and watch; returns a failure reason (everything closed) or null.</summary>
    private string? Open()
    {
        try
        {
            if (!DcgmLibrary.TryLoad(_options.LibraryPath, out var error))
            {
                return error;
            }

            var (session, call, code) = DcgmSessionHandle.Open(_options.HostEngineAddress, _options.ConnectTimeout);
            if (session is null)
            {
                var reason = DcgmLibrary.Describe(call, code);
                return _options.HostEngineAddress is { } address && code == DcgmReturn.ConnectionNotValid
                    ? $"host engine {address} unreachable: {reason}"
                    : reason;
            }

            _session = session;
            var handle = session.Value;
            var ids = new uint[DcgmNative.MaxDevices];
            code = DcgmNative.GetAllSupportedDevices(handle, ref ids[0], out var count);
            if (code != DcgmReturn.Ok)
            {
                return CloseWith("dcgmGetAllSupportedDevices", code);
            }

            _entities = [.. ids.Take(Math.Clamp(count, 0, ids.Length)).Select(id => new DcgmGroupEntityPair { EntityGroupId = DcgmValues.EntityGroupGpu, EntityId = id })];
            if (_entities.Length == 0)
            {
                Close();
                return "dcgmGetAllSupportedDevices: no DCGM-supported GPU on this host";
            }

            code = DcgmNative.GroupCreate(handle, DcgmValues.GroupDefault, $"solprof-{Guid.NewGuid():N}", out _group);
            if (code != DcgmReturn.Ok)
            {
                _group = 0;
                return CloseWith("dcgmGroupCreate", code);
            }

            _profilingWarning = null;
            code = Watch(handle, [.. DcgmFields.Device, .. DcgmFields.Profiling], out var failedCall);
            if (code != DcgmReturn.Ok && failedCall == "dcgmWatchFields" && ProfilingRefusals.Contains(code))
            {
                _profilingWarning = $"DCGM profiling fields unavailable ({DcgmLibrary.Describe("dcgmWatchFields", code)}); " +
                    "reading device fields only: smActiveRatio, smOccupancyRatio, tensorActiveRatio, dramActiveRatio, " +
                    "pcie/nvlink bytes per second missing, graphicsActiveRatio from DCGM_FI_DEV_GPU_UTIL";
                code = Watch(handle, DcgmFields.Device, out failedCall);
            }

            if (code != DcgmReturn.Ok)
            {
                return CloseWith(failedCall, code);
            }

            code = DcgmNative.UpdateAllFields(handle, 1);
            if (code != DcgmReturn.Ok)
            {
                return CloseWith("dcgmUpdateAllFields", code);
            }

            _values = new DcgmFieldValueV2[_entities.Length * _fields.Length];
            return null;
        }
        catch (Exception ex) when (ex is DllNotFoundException or EntryPointNotFoundException or BadImageFormatException or InvalidOperationException)
        {
            Close();
            return $"DCGM could not be used: {ex.Message}";
        }
    }

    /// <summary>Creates a field group of <paramref name="fields"/> and watches it on the group (destroying it on failure).</summary>
    private DcgmReturn Watch(nuint handle, ushort[] fields, out string failedCall)
    {
        failedCall = "dcgmFieldGroupCreate";
        var code = DcgmNative.FieldGroupCreate(handle, fields.Length, ref fields[0], $"solprof-fields-{Guid.NewGuid():N}", out _fieldGroup);
        if (code != DcgmReturn.Ok)
        {
            _fieldGroup = 0;
            return code;
        }

        var intervalUs = Math.Max(1L, (long)_options.UpdateInterval.TotalMicroseconds);
        var keepAge = Math.Max(1.0, 2 * _options.UpdateInterval.TotalSeconds);
        failedCall = "dcgmWatchFields";
        code = DcgmNative.WatchFields(handle, _group, _fieldGroup, intervalUs, keepAge, 0);
        if (code != DcgmReturn.Ok)
        {
            DcgmNative.FieldGroupDestroy(handle, _fieldGroup);
            _fieldGroup = 0;
            return code;
        }

        _watching = true;
        _fields = fields;
        return DcgmReturn.Ok;
    }

    private string CloseWith(string call, DcgmReturn code)
    {
        Close();
        return DcgmLibrary.Describe(call, code);
    }

    /// <summary>Unwatches, destroys the field group and group, and releases the session. Ignores failures (a lost connection).</summary>
    private void Close()
    {
        if (_session is { IsClosed: false } session)
        {
            var handle = session.Value;
            if (_watching)
            {
                DcgmNative.UnwatchFields(handle, _group, _fieldGroup);
            }

            if (_fieldGroup != 0)
            {
                DcgmNative.FieldGroupDestroy(handle, _fieldGroup);
            }

            if (_group != 0)
            {
                DcgmNative.GroupDestroy(handle, _group);
            }
        }

        _session?.Dispose();
        _session = null;
        _watching = false;
        _fieldGroup = 0;
        _group = 0;
        _fields = [];
        _entities = [];
        _values = [];
    }

    private GpuSnapshot Fail(DateTimeOffset now, string reason)
    {
        _lastDownReason = reason;
        _retryAt = now + _backoff;
        _backoff = TimeSpan.FromTicks(Math.Min(_backoff.Ticks * 2, MaxBackoff.Ticks));
        return Down(now, reason);
    }

    private static GpuSnapshot Down(DateTimeOffset now, string reason) => new()
    {
        Backend = BackendName,
        Timestamp = now,
        DownReason = reason,
        MissingFields = [.. AllFields.Select(f => f.Name)],
    };
}
