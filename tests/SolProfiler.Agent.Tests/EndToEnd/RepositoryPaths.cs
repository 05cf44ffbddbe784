using System.Runtime.CompilerServices;

namespace SolProfiler.Agent.Tests.EndToEnd;

/// <summary>The repository root (where SolProfiler.sln is), from the test binaries or, failing that, this source file.</summary>
internal static class RepositoryPaths
{
    public static string Root([CallerFilePath] string sourceFile = "")
    {
        foreach (var start in new[] { AppContext.BaseDirectory, Path.GetDirectoryName(sourceFile) ?? "" })
        {
            for (var dir = string.IsNullOrEmpty(start) ? null : new DirectoryInfo(start); dir is not null; dir = dir.Parent)
            {
                if (File.Exists(Path.Combine(dir.FullName, "SolProfiler.sln")))
                {
                    return dir.FullName;
                }
            }
        }

        Assert.Fail("SolProfiler.sln not found above " + AppContext.BaseDirectory);
        return "";
    }
}
