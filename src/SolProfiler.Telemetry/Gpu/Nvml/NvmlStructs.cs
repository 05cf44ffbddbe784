using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace SolProfiler.Telemetry.Gpu.Nvml;

// x86-64 LP64 layouts of the NVML structs the agent passes (sizes checked at load by NvmlLayout.Verify).

[InlineArray(16)]
internal struct NvmlChars16
{
    private byte _element0;
}

[InlineArray(32)]
internal struct NvmlChars32
{
    private byte _element0;
}

/// <summary><c>nvmlPciInfo_t</c>, 68 bytes (filled by <c>nvmlDeviceGetPciInfo_v3</c>).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlPciInfo
{
    public NvmlChars16 BusIdLegacy;
    public uint Domain;
    public uint Bus;
    public uint Device;
    public uint PciDeviceId;
    public uint PciSubSystemId;
    public NvmlChars32 BusId;
}

/// <summary><c>nvmlUtilization_t</c>, 8 bytes, percent.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlUtilization
{
    public uint Gpu;
    public uint Memory;
}

/// <summary><c>nvmlMemory_t</c> (v1), 24 bytes; <c>used</c> includes reserved memory.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlMemoryV1
{
    public ulong Total;
    public ulong Free;
    public ulong Used;
}

/// <summary><c>nvmlTemperature_v1_t</c>, 12 bytes (NVML 12.8 on); <see cref="Version"/> must be <see cref="VersionWord"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlTemperatureV1
{
    /// <summary>NVML_STRUCT_VERSION(Temperature, 1) = sizeof | (1 &lt;&lt; 24).</summary>
    public const uint VersionWord = 12u | (1u << 24);

    public uint Version;
    public int SensorType;
    public int Temperature;
}

/// <summary><c>nvmlMemory_v2_t</c>, 40 bytes; <see cref="Version"/> must be <see cref="VersionWord"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlMemoryV2
{
    /// <summary>NVML_STRUCT_VERSION(Memory, 2) = sizeof | (2 &lt;&lt; 24).</summary>
    public const uint VersionWord = 40u | (2u << 24);

    public uint Version;
    public ulong Total;
    public ulong Reserved;
    public ulong Free;
    public ulong Used;
}

/// <summary><c>nvmlFieldValue_t</c>, 40 bytes; <see cref="RawValue"/> is the 8-byte <c>nvmlValue_t</c> union.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlFieldValue
{
    public uint FieldId;
    public uint ScopeId;
    public long TimestampMicroseconds;
    public long LatencyMicroseconds;
    public uint ValueType;
    public NvmlReturn Return;
    public ulong RawValue;

    /// <summary>The union read as its declared <c>nvmlValueType_t</c>; null for an unknown type.</summary>
    public readonly double? AsDouble() => ValueType switch
    {
        0 => BitConverter.Int64BitsToDouble(unchecked((long)RawValue)),
        1 => unchecked((uint)RawValue),
        2 or 3 => RawValue,
        4 => unchecked((long)RawValue),
        5 => unchecked((int)(uint)RawValue),
        6 => unchecked((ushort)RawValue),
        _ => null,
    };
}

/// <summary><c>nvmlGpmSupport_t</c>, 8 bytes; <see cref="Version"/> must be <see cref="VersionWord"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlGpmSupport
{
    /// <summary>NVML_GPM_SUPPORT_VERSION.</summary>
    public const uint VersionWord = 1;

    public uint Version;
    public uint IsSupportedDevice;
}

/// <summary><c>nvmlGpmMetric_t</c>, 40 bytes: id in, per-metric return and value out; the info strings are owned by NVML.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlGpmMetric
{
    public uint MetricId;
    public NvmlReturn Return;
    public double Value;
    public nint ShortName;
    public nint LongName;
    public nint Unit;
}

/// <summary>NVML_GPM_METRIC_MAX slots (333, the 13.2+ header): an older library only touches a prefix.</summary>
[InlineArray(NvmlGpmMetricsGet.MetricMax)]
internal struct NvmlGpmMetricArray
{
    private NvmlGpmMetric _element0;
}

/// <summary><c>nvmlGpmMetricsGet_t</c>, 13344 bytes with the 333-slot array; <see cref="Version"/> must be <see cref="VersionWord"/>.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct NvmlGpmMetricsGet
{
    /// <summary>NVML_GPM_METRICS_GET_VERSION (unchanged while the array grew).</summary>
    public const uint VersionWord = 1;

    public const int MetricMax = 333;

    public uint Version;
    public uint NumMetrics;
    /// <summary>The older sample.</summary>
    public nint Sample1;
    /// <summary>The newer sample.</summary>
    public nint Sample2;
    public NvmlGpmMetricArray Metrics;
}

/// <summary><c>nvmlGpmMetricId_t</c> values the agent requests (reference §5.4); all are percent 0..100.</summary>
internal static class NvmlGpmMetricId
{
    public const uint GraphicsUtil = 1;
    public const uint SmUtil = 2;
    public const uint SmOccupancy = 3;
    public const uint AnyTensorUtil = 5;
    public const uint DramBwUtil = 10;
}

/// <summary>Field ids for <c>nvmlDeviceGetFieldValues</c> (reference §5.5).</summary>
internal static class NvmlFieldId
{
    public const uint MemoryTemperature = 82;
    public const uint NvlinkThroughputDataTx = 138;
    public const uint NvlinkThroughputDataRx = 139;

    /// <summary>scopeId meaning "sum over all links".</summary>
    public const uint AllLinks = uint.MaxValue;
}

internal static class NvmlLayout
{
    /// <summary>Throws when a managed struct does not have the size or field offsets of its C counterpart (reference §5.3).</summary>
    public static void Verify()
    {
        NativeLayout.Size<NvmlPciInfo>(68);
        NativeLayout.Size<NvmlUtilization>(8);
        NativeLayout.Size<NvmlMemoryV1>(24);
        NativeLayout.Size<NvmlTemperatureV1>(12);
        NativeLayout.Size<NvmlMemoryV2>(40);
        NativeLayout.Size<NvmlFieldValue>(40);
        NativeLayout.Size<NvmlGpmSupport>(8);
        NativeLayout.Size<NvmlGpmMetric>(40);
        NativeLayout.Size<NvmlGpmMetricsGet>(24 + (NvmlGpmMetricsGet.MetricMax * 40));
        NativeLayout.Offset<NvmlGpmMetric>(nameof(NvmlGpmMetric.ShortName), 16);
        NativeLayout.Offset<NvmlGpmMetricsGet>(nameof(NvmlGpmMetricsGet.Sample1), 8);
        NativeLayout.Offset<NvmlGpmMetricsGet>(nameof(NvmlGpmMetricsGet.Metrics), 24);
        NativeLayout.Offset<NvmlFieldValue>(nameof(NvmlFieldValue.RawValue), 32);
        NativeLayout.Offset<NvmlMemoryV2>(nameof(NvmlMemoryV2.Total), 8);
        NativeLayout.Offset<NvmlPciInfo>(nameof(NvmlPciInfo.BusId), 36);
    }

    /// <summary>
    /// A NUL-terminated UTF-8 string from a caller-owned buffer (copied), or <paramref name="previous"/> itself when
    /// the bytes spell it: a device's name, UUID and bus id are read every second and almost never change, so the
    /// steady path allocates no new string for them while still seeing a change.
    /// </summary>
    public static string ReadCString(ReadOnlySpan<byte> buffer, string? previous = null)
    {
        var end = buffer.IndexOf((byte)0);
        var text = end < 0 ? buffer : buffer[..end];
        return previous is not null && previous.Length == text.Length && System.Text.Ascii.Equals(text, previous)
            ? previous
            : Encoding.UTF8.GetString(text);
    }
}
