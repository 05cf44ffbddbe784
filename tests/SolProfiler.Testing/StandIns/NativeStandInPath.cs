using System.Runtime.CompilerServices;

namespace SolProfiler.Testing.StandIns;

/// <summary>Finds a built native stand-in under the repository root, or fails the test saying how to build it.</summary>
public static class NativeStandInPath
{
    public static string Locate(string relativePath, string what, [CallerFilePath] string sourceFile = "")
    {
        // From the test binaries up to the repository root; with --artifacts-path outside the tree, from this source file.
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SolProfiler.sln")))
                {
                    var candidate = Path.Combine(dir.FullName, relativePath);
                    Assert.True(
                        File.Exists(candidate),
                        $"The {what} stand-in {candidate} is missing. Build it first: cmake -S native -B native/build && cmake --build native/build");
                    return candidate;
                }
            }
        }

        Assert.Fail("SolProfiler.sln not found above " + AppContext.BaseDirectory + "; cannot locate " + relativePath);
        return "";
    }
}
