using SolProfiler.Sol;

namespace SolProfiler.Cli.Common;

/// <summary>Reads a file the user named, as text; a missing or unreadable one is a one-line error that names it.</summary>
public static class InputFiles
{
    /// <param name="path">The file.</param>
    /// <param name="who">What asked for it, at the start of the error (e.g. <c>report</c>, <c>--compare</c>).</param>
    public static string ReadText(string path, string who)
    {
        ArgumentNullException.ThrowIfNull(path);
        if (!File.Exists(path))
        {
            throw new SolInputException($"{who}: file '{path}' does not exist");
        }

        try
        {
            return File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new SolInputException($"{who}: cannot read '{path}' ({e.Message})", e);
        }
    }
}
