using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu.Nvml;

/// <summary>
/// Typed wrappers over <see cref="NvmlNative"/>: every call returns an <see cref="NvmlResult{T}"/>; an export the
/// loaded library lacks reads as <see cref="NvmlReturn.FunctionNotFound"/>. A device handle is only valid while the
/// session that produced it is open.
/// </summary>
internal static class NvmlDevice
{
    public static NvmlResult<uint> Count() => Wrap(NvmlNative.DeviceGetCountV2(out var count), count);

    public static NvmlResult<nint> HandleByIndex(uint index) =>
        Wrap(NvmlNative.DeviceGetHandleByIndexV2(index, out var device), device);

    public static NvmlResult<string> DriverVersion()
    {
        if (!NvmlLibrary.Has("nvmlSystemGetDriverVersion"))
        {
            return NvmlResult<string>.Fail(NvmlReturn.FunctionNotFound);
        }

        Span<byte> buffer = stackalloc byte[NvmlNative.DriverVersionBufferSize];
        var r = NvmlNative.SystemGetDriverVersion(ref MemoryMarshal.GetReference(buffer), (uint)buffer.Length);
        return r == NvmlReturn.Success ? NvmlResult<string>.Ok(NvmlLayout.ReadCString(buffer)) : NvmlResult<string>.Fail(r);
    }

    public static NvmlResult<string> Name(nint device, string? previous = null)
    {
        if (!NvmlLibrary.Has("nvmlDeviceGetName"))
        {
            return NvmlResult<string>.Fail(NvmlReturn.FunctionNotFound);
        }

        Span<byte> buffer = stackalloc byte[NvmlNative.NameBufferSize];
        var r = NvmlNative.DeviceGetName(device, ref MemoryMarshal.GetReference(buffer), (uint)buffer.Length);
        return r == NvmlReturn.Success ? NvmlResult<string>.Ok(NvmlLayout.ReadCString(buffer, previous)) : NvmlResult<string>.Fail(r);
    }

    public static NvmlResult<string> Uuid(nint device, string? previous = null)
    {
        if (!NvmlLibrary.Has("nvmlDeviceGetUUID"))
        {
            return NvmlResult<string>.Fail(NvmlReturn.FunctionNotFound);
        }

        Span<byte> buffer = stackalloc byte[NvmlNative.UuidBufferSize];
        var r = NvmlNative.DeviceGetUuid(device, ref MemoryMarshal.GetReference(buffer), (uint)buffer.Length);
        return r == NvmlReturn.Success ? NvmlResult<string>.Ok(NvmlLayout.ReadCString(buffer, previous)) : NvmlResult<string>.Fail(r);
    }

    /// <summary>The PCI bus id, e.g. "00000000:18:00.0".</summary>
    public static NvmlResult<string> PciBusId(nint device, string? previous = null)
    {
        if (!NvmlLibrary.Has("nvmlDeviceGetPciInfo_v3"))
        {
            return NvmlResult<string>.Fail(NvmlReturn.FunctionNotFound);
        }

        var r = NvmlNative.DeviceGetPciInfoV3(device, out var pci);
        return r == NvmlReturn.Success ? NvmlResult<string>.Ok(NvmlLayout.ReadCString(pci.BusId, previous)) : NvmlResult<string>.Fail(r);
    }

    public static NvmlResult<uint> PowerMilliwatts(nint device) =>
        Has("nvmlDeviceGetPowerUsage", out NvmlResult<uint> missing) ? Wrap(NvmlNative.DeviceGetPowerUsage(device, out var v), v) : missing;

    public static NvmlResult<ulong> EnergyMillijoules(nint device) =>
        Has("nvmlDeviceGetTotalEnergyConsumption", out NvmlResult<ulong> missing)
            ? Wrap(NvmlNative.DeviceGetTotalEnergyConsumption(device, out var v), v)
            : missing;

    public static NvmlResult<uint> EnforcedPowerLimitMilliwatts(nint device) =>
        Has("nvmlDeviceGetEnforcedPowerLimit", out NvmlResult<uint> missing)
            ? Wrap(NvmlNative.DeviceGetEnforcedPowerLimit(device, out var v), v)
            : missing;

    public static NvmlResult<NvmlUtilization> Utilization(nint device) =>
        Has("nvmlDeviceGetUtilizationRates", out NvmlResult<NvmlUtilization> missing)
            ? Wrap(NvmlNative.DeviceGetUtilizationRates(device, out var v), v)
            : missing;

    public static NvmlResult<uint> ClockMegahertz(nint device, int clockType) =>
        Has("nvmlDeviceGetClockInfo", out NvmlResult<uint> missing) ? Wrap(NvmlNative.DeviceGetClockInfo(device, clockType, out var v), v) : missing;

    /// <summary>GPU temperature: <c>nvmlDeviceGetTemperatureV</c> (NVML 12.8 on), else the deprecated <c>nvmlDeviceGetTemperature</c>.</summary>
    public static NvmlResult<uint> GpuTemperatureCelsius(nint device)
    {
        if (NvmlLibrary.Has("nvmlDeviceGetTemperatureV"))
        {
            var t = new NvmlTemperatureV1 { Version = NvmlTemperatureV1.VersionWord, SensorType = NvmlNative.TemperatureGpu };
            var code = NvmlNative.DeviceGetTemperatureV(device, ref t);
            return code == NvmlReturn.Success ? NvmlResult<uint>.Ok((uint)Math.Max(0, t.Temperature)) : NvmlResult<uint>.Fail(code);
        }

        return Has("nvmlDeviceGetTemperature", out NvmlResult<uint> missing)
            ? Wrap(NvmlNative.DeviceGetTemperature(device, NvmlNative.TemperatureGpu, out var v), v)
            : missing;
    }

    /// <summary><c>nvmlDeviceGetMemoryInfo_v2</c> with the given version word (tests pass a wrong one).</summary>
    public static NvmlResult<NvmlMemoryV2> MemoryV2(nint device, uint version = NvmlMemoryV2.VersionWord)
    {
        if (!NvmlLibrary.Has("nvmlDeviceGetMemoryInfo_v2"))
        {
            return NvmlResult<NvmlMemoryV2>.Fail(NvmlReturn.FunctionNotFound);
        }

        var memory = new NvmlMemoryV2 { Version = version };
        return Wrap(NvmlNative.DeviceGetMemoryInfoV2(device, ref memory), memory);
    }

    public static NvmlResult<NvmlMemoryV1> MemoryV1(nint device) =>
        Has("nvmlDeviceGetMemoryInfo", out NvmlResult<NvmlMemoryV1> missing) ? Wrap(NvmlNative.DeviceGetMemoryInfo(device, out var v), v) : missing;

    /// <summary>The clock-event reason mask; falls back to the pre-12.2 "throttle" name.</summary>
    public static NvmlResult<ulong> ClocksEventReasons(nint device)
    {
        if (NvmlLibrary.Has("nvmlDeviceGetCurrentClocksEventReasons"))
        {
            return Wrap(NvmlNative.DeviceGetCurrentClocksEventReasons(device, out var v), v);
        }

        return NvmlLibrary.Has("nvmlDeviceGetCurrentClocksThrottleReasons")
            ? Wrap(NvmlNative.DeviceGetCurrentClocksThrottleReasons(device, out var t), t)
            : NvmlResult<ulong>.Fail(NvmlReturn.FunctionNotFound);
    }

    /// <summary>Fills <paramref name="values"/> (field ids and scope ids set by the caller); check each value's return.</summary>
    public static NvmlReturn FieldValues(nint device, Span<NvmlFieldValue> values)
    {
        if (!NvmlLibrary.Has("nvmlDeviceGetFieldValues"))
        {
            return NvmlReturn.FunctionNotFound;
        }

        return values.IsEmpty ? NvmlReturn.Success : NvmlNative.DeviceGetFieldValues(device, values.Length, ref MemoryMarshal.GetReference(values));
    }

    /// <summary>KB/s, for <see cref="NvmlNative.PcieTxBytes"/> or <see cref="NvmlNative.PcieRxBytes"/>.</summary>
    public static NvmlResult<uint> PcieThroughputKilobytesPerSecond(nint device, int counter) =>
        Has("nvmlDeviceGetPcieThroughput", out NvmlResult<uint> missing)
            ? Wrap(NvmlNative.DeviceGetPcieThroughput(device, counter, out var v), v)
            : missing;

    /// <summary>Whether the library exports every GPM call the source uses.</summary>
    public static bool HasGpm =>
        NvmlLibrary.Has("nvmlGpmQueryDeviceSupport") && NvmlLibrary.Has("nvmlGpmSampleAlloc") && NvmlLibrary.Has("nvmlGpmSampleFree") &&
        NvmlLibrary.Has("nvmlGpmSampleGet") && NvmlLibrary.Has("nvmlGpmMetricsGet");

    /// <summary><c>nvmlGpmQueryDeviceSupport</c> with the given version word (tests pass a wrong one).</summary>
    public static NvmlResult<bool> GpmSupported(nint device, uint version = NvmlGpmSupport.VersionWord)
    {
        if (!NvmlLibrary.Has("nvmlGpmQueryDeviceSupport"))
        {
            return NvmlResult<bool>.Fail(NvmlReturn.FunctionNotFound);
        }

        var support = new NvmlGpmSupport { Version = version };
        var r = NvmlNative.GpmQueryDeviceSupport(device, ref support);
        return r == NvmlReturn.Success ? NvmlResult<bool>.Ok(support.IsSupportedDevice != 0) : NvmlResult<bool>.Fail(r);
    }

    public static NvmlResult<nint> GpmSampleAlloc() =>
        Has("nvmlGpmSampleAlloc", out NvmlResult<nint> missing) ? Wrap(NvmlNative.GpmSampleAlloc(out var v), v) : missing;

    public static NvmlReturn GpmSampleFree(nint sample) =>
        NvmlLibrary.Has("nvmlGpmSampleFree") ? NvmlNative.GpmSampleFree(sample) : NvmlReturn.FunctionNotFound;

    public static NvmlReturn GpmSampleGet(nint device, nint sample) =>
        NvmlLibrary.Has("nvmlGpmSampleGet") ? NvmlNative.GpmSampleGet(device, sample) : NvmlReturn.FunctionNotFound;

    /// <summary>
    /// <c>nvmlGpmMetricsGet</c> for <paramref name="metricIds"/> between <paramref name="older"/> and <paramref name="newer"/>;
    /// on success <paramref name="results"/> holds one entry per id (check each entry's return).
    /// </summary>
    public static NvmlReturn GpmMetrics(
        nint older, nint newer, ReadOnlySpan<uint> metricIds, Span<NvmlGpmMetric> results, uint version = NvmlGpmMetricsGet.VersionWord)
    {
        if (!NvmlLibrary.Has("nvmlGpmMetricsGet"))
        {
            return NvmlReturn.FunctionNotFound;
        }

        if (metricIds.Length > NvmlGpmMetricsGet.MetricMax || results.Length < metricIds.Length)
        {
            return NvmlReturn.InvalidArgument;
        }

        var request = new NvmlGpmMetricsGet { Version = version, NumMetrics = (uint)metricIds.Length, Sample1 = older, Sample2 = newer };
        for (var i = 0; i < metricIds.Length; i++)
        {
            request.Metrics[i].MetricId = metricIds[i];
        }

        var r = NvmlNative.GpmMetricsGet(ref request);
        if (r == NvmlReturn.Success)
        {
            for (var i = 0; i < metricIds.Length; i++)
            {
                results[i] = request.Metrics[i];
            }
        }

        return r;
    }

    private static bool Has<T>(string export, out NvmlResult<T> missing)
    {
        missing = NvmlResult<T>.Fail(NvmlReturn.FunctionNotFound);
        return NvmlLibrary.Has(export);
    }

    private static NvmlResult<T> Wrap<T>(NvmlReturn code, T value) =>
        code == NvmlReturn.Success ? NvmlResult<T>.Ok(value) : NvmlResult<T>.Fail(code);
}
