using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu.Dcgm;

/// <summary>
/// Loads libdcgm once per process and points the <see cref="DcgmNative"/> imports at it through the shared
/// <see cref="NativeLibraries"/> resolver. Order: an explicit path, else <c>SOLPROF_DCGM_LIBRARY</c>, else
/// <c>libdcgm.so.4</c> then <c>libdcgm.so.3</c> by the system search (the unversioned <c>libdcgm.so</c> is only in the
/// -dev package). P/Invoke stubs bind once, so the first library loaded stays bound; a later request for a different
/// file is refused rather than silently served by the first.
/// </summary>
internal static class DcgmLibrary
{
    public const string EnvironmentVariable = "SOLPROF_DCGM_LIBRARY";

    private static readonly Lock Sync = new();
    private static nint s_handle;
    private static string? s_boundPath;

    private static readonly string[] RequiredExports =
    [
        "dcgmInit", "dcgmShutdown", "dcgmStartEmbedded_v2", "dcgmStopEmbedded", "dcgmConnect_v2", "dcgmDisconnect",
        "dcgmGetAllSupportedDevices", "dcgmGroupCreate", "dcgmGroupDestroy", "dcgmFieldGroupCreate", "dcgmFieldGroupDestroy",
        "dcgmWatchFields", "dcgmUnwatchFields", "dcgmUpdateAllFields", "dcgmEntitiesGetLatestValues", "errorString",
    ];

    /// <summary>The paths the loader will try, in order, for the given option.</summary>
    public static IReadOnlyList<string> CandidatePaths(string? explicitPath)
    {
        if (!string.IsNullOrWhiteSpace(explicitPath))
        {
            return [explicitPath];
        }

        var fromEnvironment = Environment.GetEnvironmentVariable(EnvironmentVariable);
        return string.IsNullOrWhiteSpace(fromEnvironment) ? [DcgmNative.LibraryName, DcgmNative.LegacyLibraryName] : [fromEnvironment];
    }

    /// <summary>Loads (or reuses) the library; on failure returns a reason for a down snapshot. Never throws.</summary>
    public static bool TryLoad(string? explicitPath, out string? error)
    {
        try
        {
            DcgmLayout.Verify();
        }
        catch (InvalidOperationException ex)
        {
            error = ex.Message;
            return false;
        }

        var candidates = CandidatePaths(explicitPath);
        lock (Sync)
        {
            nint handle = 0;
            string? path = null;
            foreach (var candidate in candidates)
            {
                if (NativeLibrary.TryLoad(candidate, out handle))
                {
                    path = candidate;
                    break;
                }
            }

            if (path is null)
            {
                error = $"libdcgm not found (tried {string.Join(", ", candidates.Select(c => $"\"{c}\""))})";
                return false;
            }

            if (s_handle != 0)
            {
                // dlopen returns the same handle for the same file, whatever path names it.
                NativeLibrary.Free(handle);
                if (handle != s_handle)
                {
                    error = $"DCGM is already bound to \"{s_boundPath}\" in this process; cannot switch to \"{path}\"";
                    return false;
                }

                error = null;
                return true;
            }

            var missing = RequiredExports.Where(name => !NativeLibrary.TryGetExport(handle, name, out _)).ToList();
            if (missing.Count > 0)
            {
                NativeLibrary.Free(handle);
                error = $"\"{path}\" is not a usable DCGM library: missing {string.Join(", ", missing)}";
                return false;
            }

            NativeLibraries.Register(DcgmNative.LibraryName, handle);
            s_boundPath = path;
            s_handle = handle; // kept loaded for the process: bound stubs point into it
            error = null;
            return true;
        }
    }

    /// <summary>The DCGM error text for a code (copied from DCGM's static string).</summary>
    public static string ErrorString(DcgmReturn code)
    {
        var text = s_handle == 0 ? null : Marshal.PtrToStringUTF8(DcgmNative.ErrorString(code));
        return string.IsNullOrEmpty(text) ? code.ToString() : text;
    }

    /// <summary>"call: text (DCGM_ST n Name)".</summary>
    public static string Describe(string call, DcgmReturn code) => $"{call}: {ErrorString(code)} (DCGM_ST {(int)code} {code})";
}
