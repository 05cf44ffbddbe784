using System.Runtime.CompilerServices;
using System.Text;

namespace SolProfiler.Testing;

/// <summary>
/// Golden files for output contracts, in the verified-snapshot style: the expected text is a file under the test
/// project's <c>Golden/</c> folder, committed and reviewed like code. A test fails on the first line that differs,
/// naming the file. Run with <c>SOLPROF_UPDATE_GOLDEN=1</c> to write the actual output over it, then read the
/// <c>git diff</c>: a changed contract is a decision, not a side effect.
/// </summary>
public static class Golden
{
    public const string UpdateVariable = "SOLPROF_UPDATE_GOLDEN";

    /// <param name="name">The file name under <c>Golden/</c> (e.g. <c>sol-llama-70b.json</c>).</param>
    /// <param name="actual">The output; line endings are normalised to \n and a final newline added.</param>
    /// <param name="callerFile">Filled by the compiler: finds the test project's source folder.</param>
    public static void Verify(string name, string actual, [CallerFilePath] string callerFile = "")
    {
        ArgumentNullException.ThrowIfNull(actual);
        var path = Path.Combine(ProjectFolder(callerFile), "Golden", name);
        var text = Normalise(actual);
        if (Environment.GetEnvironmentVariable(UpdateVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            File.WriteAllText(path, text);
            return;
        }

        if (!File.Exists(path))
        {
            throw new GoldenMismatchException($"golden file {path} does not exist; create it with {UpdateVariable}=1 and review it");
        }

        var expected = Normalise(File.ReadAllText(path));
        if (expected == text)
        {
            return;
        }

        var want = expected.Split('\n');
        var got = text.Split('\n');
        var line = 0;
        while (line < want.Length && line < got.Length && want[line] == got[line])
        {
            line++;
        }

        throw new GoldenMismatchException(
            $"output differs from golden file {path} at line {line + 1}:\n"
            + $"  expected: {(line < want.Length ? want[line] : "<end of file>")}\n"
            + $"  actual:   {(line < got.Length ? got[line] : "<end of output>")}\n"
            + $"if the change is intended, rerun with {UpdateVariable}=1 and review the diff");
    }

    private static string Normalise(string text)
    {
        var s = text.Replace("\r\n", "\n", StringComparison.Ordinal);
        return s.EndsWith('\n') ? s : s + "\n";
    }

    private static string ProjectFolder(string callerFile)
    {
        var folder = Path.GetDirectoryName(callerFile);
        if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
        {
            // A build with mapped source paths: the project copies Golden/ next to the test assembly (read only there).
            return AppContext.BaseDirectory;
        }

        for (var dir = new DirectoryInfo(folder); dir is not null; dir = dir.Parent)
        {
            if (dir.EnumerateFiles("*.csproj").Any())
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"no test project above {callerFile}");
    }
}

/// <summary>An output that is not what its golden file says.</summary>
public sealed class GoldenMismatchException(string message) : Exception(message);
