using System.Runtime.CompilerServices;

namespace SolProfiler.Agent.Tests.Demo;

/// <summary>Finds the built NVML stand-in under the repository root, or fails the test saying how to build it.</summary>
internal static class StandInPath
{
    public const string RelativePath = "native/build/nvml/libnvidia-ml.so.1";

    public static string Nvml([CallerFilePath] string sourceFile = "")
    {
        // From the test binaries up to the repository root; with --artifacts-path outside the tree, from this source file.
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SolProfiler.sln")))
                {
                    var candidate = Path.Combine(dir.FullName, RelativePath);
                    Assert.True(
                        File.Exists(candidate),
                        $"The NVML stand-in {candidate} is missing. Build it first: cmake -S native -B native/build && cmake --build native/build");
                    return candidate;
                }
            }
        }

        Assert.Fail("SolProfiler.sln not found above " + AppContext.BaseDirectory + "; cannot locate " + RelativePath);
        return "";
    }
}
