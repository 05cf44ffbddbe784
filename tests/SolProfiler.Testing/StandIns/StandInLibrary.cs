using System.Runtime.InteropServices;

namespace SolProfiler.Testing.StandIns;

/// <summary>
/// A native stand-in loaded from its path under the repository, for its back door: the functions by name, and their
/// return codes checked (0 is success; anything else fails the test that asked).
/// </summary>
public sealed class StandInLibrary
{
    private readonly IntPtr _handle;

    public StandInLibrary(string relativePath, string what)
    {
        Path = NativeStandInPath.Locate(relativePath, what);
        _handle = NativeLibrary.Load(Path);
    }

    public string Path { get; }

    public T Get<T>(string name)
        where T : Delegate => Marshal.GetDelegateForFunctionPointer<T>(NativeLibrary.GetExport(_handle, name));

    public static void Check(int code) => Assert.True(code == 0, $"stand-in back door returned {code}");
}
