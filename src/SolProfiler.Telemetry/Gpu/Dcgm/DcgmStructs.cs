using System.Buffers.Binary;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace SolProfiler.Telemetry.Gpu.Dcgm;

// x86-64 LP64 layouts of the DCGM structs the agent passes (reference §1.5, §2.1; sizes checked at load by DcgmLayout.Verify).

[InlineArray(10)]
internal struct DcgmDenyList10
{
    private uint _element0;
}

[InlineArray(4096)]
internal struct DcgmValueBytes
{
    private byte _element0;
}

/// <summary><c>dcgmStartEmbeddedV2Params_v2</c>, 80 bytes; version word 0x02000050 (works on DCGM 3.x and 4.x).</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DcgmStartEmbeddedParamsV2
{
    /// <summary>MAKE_DCGM_VERSION = sizeof | (2 &lt;&lt; 24).</summary>
    public const uint VersionWord = 80u | (2u << 24);

    public uint Version;
    public int OperationMode;
    public nuint DcgmHandle; // OUT
    public nint LogFile;
    public int Severity;
    public uint DenyListCount;
    public nint ServiceAccount;
    public DcgmDenyList10 DenyList;
}

/// <summary><c>dcgmConnectV2Params_v2</c>, 16 bytes; version word 0x02000010.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DcgmConnectParamsV2
{
    public const uint VersionWord = 16u | (2u << 24);

    public uint Version;
    public uint PersistAfterDisconnect;
    public uint TimeoutMilliseconds;
    public uint AddressIsUnixSocket;
}

/// <summary><c>dcgmGroupEntityPair_t</c>, 8 bytes.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DcgmGroupEntityPair
{
    public uint EntityGroupId;
    public uint EntityId;
}

/// <summary><c>dcgmFieldValue_v2</c>, 4128 bytes; the union (i64 / double / char[256] / blob) sits at offset 32.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DcgmFieldValueV2
{
    public const uint VersionWord = 4128u | (2u << 24);

    public uint Version;
    public uint EntityGroupId;
    public uint EntityId;
    public ushort FieldId;
    public ushort FieldType;
    public DcgmReturn Status;
    public uint Unused;
    public long TimestampMicroseconds;
    public DcgmValueBytes Value;

    public readonly long Int64 => BinaryPrimitives.ReadInt64LittleEndian(Value);

    public readonly double Double => BitConverter.Int64BitsToDouble(Int64);

    public readonly string String
    {
        get
        {
            ReadOnlySpan<byte> text = ((ReadOnlySpan<byte>)Value)[..256];
            var end = text.IndexOf((byte)0);
            return Encoding.UTF8.GetString(end < 0 ? text : text[..end]);
        }
    }
}

/// <summary><c>dcgmFieldValue_v1</c>, 4120 bytes (what the <c>dcgmGetLatestValues*</c> callbacks deliver); union at offset 24.</summary>
[StructLayout(LayoutKind.Sequential)]
internal struct DcgmFieldValueV1
{
    public const uint VersionWord = 4120u | (1u << 24);

    public uint Version;
    public ushort FieldId;
    public ushort FieldType;
    public DcgmReturn Status;
    public long TimestampMicroseconds;
    public DcgmValueBytes Value;

    public readonly long Int64 => BinaryPrimitives.ReadInt64LittleEndian(Value);

    public readonly double Double => BitConverter.Int64BitsToDouble(Int64);
}

/// <summary>Field types (<c>DCGM_FT_*</c>, the ASCII char in <c>fieldType</c>) and blank sentinels (reference §2.2-2.3).</summary>
internal static class DcgmValues
{
    public const ushort TypeDouble = 'd';
    public const ushort TypeInt64 = 'i';
    public const ushort TypeString = 's';
    public const ushort TypeTimestamp = 't';

    public const long Int64Blank = 0x7ffffffffffffff0;
    public const double Fp64Blank = 140737488355328.0; // 2^47

    public const uint EntityGroupGpu = 1;
    public const int GroupDefault = 0;
    public const int OperationModeAuto = 1;

    /// <summary>DCGM_EMBEDDED_HANDLE (dcgm_structs.h): the one handle of the process's embedded engine.</summary>
    public const nuint EmbeddedHandle = 0x7fffffff;

    /// <summary>DcgmLoggingSeverityUnspecified: the engine logs at its default (or __DCGM_DBG_LVL); 0 would turn it off.</summary>
    public const int LoggingSeverityUnspecified = -1;

    /// <summary>The value as a number, or null for a blank/not-found/not-supported/not-permissioned sentinel.</summary>
    public static double? AsNumber(in DcgmFieldValueV2 value)
    {
        switch (value.FieldType)
        {
            case TypeInt64 or TypeTimestamp:
                var i = value.Int64;
                // DCGM_INT64_IS_BLANK (dcgm_structs.h): only the int64 sentinels. 0x7ffffff0..3 are the int32 ones and
                // real values in an int64 field (energy passes 2^31 mJ after 36 minutes at 1 kW).
                return i >= Int64Blank ? null : i;
            case TypeDouble:
                var d = value.Double;
                return double.IsFinite(d) && d < Fp64Blank ? d : null;
            default:
                return null;
        }
    }

    /// <summary>The value as text (numbers formatted), or null for a sentinel.</summary>
    public static string? AsString(in DcgmFieldValueV2 value)
    {
        if (value.FieldType != TypeString)
        {
            return AsNumber(value)?.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        var s = value.String;
        return s.StartsWith("<<<", StringComparison.Ordinal) && s.Contains(">>>", StringComparison.Ordinal) ? null : s;
    }
}

internal static class DcgmLayout
{
    /// <summary>Throws when a managed struct does not have the size or field offsets of its C counterpart.</summary>
    public static void Verify()
    {
        NativeLayout.Size<DcgmStartEmbeddedParamsV2>(80);
        NativeLayout.Size<DcgmConnectParamsV2>(16);
        NativeLayout.Size<DcgmGroupEntityPair>(8);
        NativeLayout.Size<DcgmFieldValueV2>(4128);
        NativeLayout.Size<DcgmFieldValueV1>(4120);
        NativeLayout.Offset<DcgmFieldValueV2>(nameof(DcgmFieldValueV2.Value), 32);
        NativeLayout.Offset<DcgmFieldValueV2>(nameof(DcgmFieldValueV2.TimestampMicroseconds), 24);
        NativeLayout.Offset<DcgmFieldValueV1>(nameof(DcgmFieldValueV1.Value), 24);
        NativeLayout.Offset<DcgmFieldValueV1>(nameof(DcgmFieldValueV1.TimestampMicroseconds), 16);
        NativeLayout.Offset<DcgmFieldValueV2>(nameof(DcgmFieldValueV2.FieldId), 12);
        NativeLayout.Offset<DcgmStartEmbeddedParamsV2>(nameof(DcgmStartEmbeddedParamsV2.DcgmHandle), 8);
        NativeLayout.Offset<DcgmStartEmbeddedParamsV2>(nameof(DcgmStartEmbeddedParamsV2.DenyList), 40);
    }
}
