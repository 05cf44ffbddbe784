using System.Collections.Concurrent;
using System.Reflection;
using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu;

/// <summary>
/// The one DllImport resolver of this assembly (.NET allows one per assembly), shared by the native bindings: each
/// binding loads its library itself and registers the handle under the name its <c>LibraryImport</c>s use
/// (<c>libnvidia-ml.so.1</c>, <c>libdcgm.so.4</c>). Unregistered names get zero, i.e. the default probing.
/// </summary>
internal static class NativeLibraries
{
    private static readonly ConcurrentDictionary<string, nint> Handles = new(StringComparer.Ordinal);
    private static readonly Lock Sync = new();
    private static bool s_resolverSet;

    /// <summary>Points the imports declared with <paramref name="libraryName"/> at <paramref name="handle"/>.</summary>
    public static void Register(string libraryName, nint handle)
    {
        lock (Sync)
        {
            if (!s_resolverSet)
            {
                NativeLibrary.SetDllImportResolver(typeof(NativeLibraries).Assembly, Resolve);
                s_resolverSet = true;
            }

            Handles[libraryName] = handle;
        }
    }

    private static nint Resolve(string libraryName, Assembly assembly, DllImportSearchPath? searchPath) =>
        Handles.TryGetValue(libraryName, out var handle) ? handle : 0;
}
