namespace SolProfiler.Sol.Models;

/// <summary>
/// Finds a model's <c>config.json</c> in a Hugging Face hub cache, laid out as <c>huggingface_hub</c> writes it:
/// <c>HUB/models--ORG--NAME/snapshots/REVISION/config.json</c>, with <c>refs/main</c> holding the revision the
/// server loaded by default. Read-only, and never an error: a cache that is absent or unreadable finds nothing.
/// </summary>
public static class HfCache
{
    /// <summary>
    /// The hub cache folder as <c>huggingface_hub</c> resolves it: <c>HF_HUB_CACHE</c>, else the legacy
    /// <c>HUGGINGFACE_HUB_CACHE</c>, else <c>HF_HOME/hub</c>, else <c>XDG_CACHE_HOME/huggingface/hub</c>, else
    /// <c>~/.cache/huggingface/hub</c>. <paramref name="environment"/> reads a variable (tests pass their own).
    /// </summary>
    public static string HubFolder(Func<string, string?> environment)
    {
        ArgumentNullException.ThrowIfNull(environment);
        string? Var(string name) => environment(name) is { Length: > 0 } v ? v : null;
        if ((Var("HF_HUB_CACHE") ?? Var("HUGGINGFACE_HUB_CACHE")) is { } hub)
        {
            return hub;
        }

        if (Var("HF_HOME") is { } home)
        {
            return Path.Combine(home, "hub");
        }

        var cache = Var("XDG_CACHE_HOME") ?? Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".cache");
        return Path.Combine(cache, "huggingface", "hub");
    }

    /// <summary>
    /// The <c>config.json</c> of <paramref name="repoId"/> (ORG/NAME, matched case-insensitively; a bare NAME matches
    /// when exactly one organisation has it) under <paramref name="hubFolder"/>: the snapshot <c>refs/main</c> names,
    /// else the newest snapshot that has one. Null when there is none.
    /// </summary>
    public static string? FindConfig(string hubFolder, string repoId)
    {
        ArgumentNullException.ThrowIfNull(hubFolder);
        ArgumentNullException.ThrowIfNull(repoId);
        var id = repoId.Trim().Trim('/');
        if (id.Length == 0 || id.Count(c => c == '/') > 1 || id.Contains("--", StringComparison.Ordinal) || id.Contains("..", StringComparison.Ordinal))
        {
            return null;
        }

        try
        {
            if (!Directory.Exists(hubFolder))
            {
                return null;
            }

            var folders = Directory.EnumerateDirectories(hubFolder, "models--*").ToArray();
            var matches = id.Contains('/', StringComparison.Ordinal)
                ? folders.Where(f => string.Equals(Path.GetFileName(f), "models--" + id.Replace("/", "--", StringComparison.Ordinal), StringComparison.OrdinalIgnoreCase)).ToArray()
                : folders.Where(f => Path.GetFileName(f).Split("--") is [_, _, var name] && string.Equals(name, id, StringComparison.OrdinalIgnoreCase)).ToArray();
            return matches.Length == 1 ? SnapshotConfig(matches[0]) : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string? SnapshotConfig(string repoFolder)
    {
        var snapshots = Path.Combine(repoFolder, "snapshots");
        var main = Path.Combine(repoFolder, "refs", "main");
        if (File.Exists(main) && File.ReadAllText(main).Trim() is { Length: > 0 } revision && !revision.Contains('/', StringComparison.Ordinal) && !revision.Contains('\\', StringComparison.Ordinal)
            && Path.Combine(snapshots, revision, "config.json") is var pinned && File.Exists(pinned))
        {
            return pinned;
        }

        return Directory.Exists(snapshots)
            ? Directory.EnumerateDirectories(snapshots)
                .Select(d => Path.Combine(d, "config.json"))
                .Where(File.Exists)
                .OrderByDescending(File.GetLastWriteTimeUtc)
                .FirstOrDefault()
            : null;
    }
}
