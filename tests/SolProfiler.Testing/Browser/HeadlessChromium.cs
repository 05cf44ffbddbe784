using System.Diagnostics;

namespace SolProfiler.Testing.Browser;

/// <summary>
/// Runs Chromium headless, once per call, to see a page (the agent's status page, the report) as a browser does: the
/// DOM after its scripts ran, or a screenshot. Virtual time lets the page's fetch and first render finish without the
/// test sleeping. Shared with the CLI's tests, which link this file.
/// </summary>
public static class HeadlessChromium
{
    public const int Width = 1280;
    public const int Height = 1000;

    // A hang guard for a broken browser, not an assertion on speed: a healthy run takes a few seconds.
    private static readonly TimeSpan Guard = TimeSpan.FromMinutes(2);

    private static readonly Lazy<string?> Located = new(Locate);

    /// <summary>The Chromium executable, or null: SOLPROF_CHROMIUM, then the Debian package's path, then PATH.</summary>
    public static string? Find() => Located.Value;

    public static Task<string> DumpDomAsync(Uri url) => RunAsync(url, "--dump-dom", Height);

    /// <summary>A screenshot of the window, <see cref="Width"/> wide and <paramref name="height"/> tall (a whole long page fits in a tall window).</summary>
    public static async Task ScreenshotAsync(Uri url, string pngPath, int height = Height)
    {
        await RunAsync(url, "--screenshot=" + pngPath, height);
        if (!File.Exists(pngPath))
            throw new InvalidOperationException($"chromium wrote no screenshot to {pngPath}");
    }

    private static async Task<string> RunAsync(Uri url, string action, int height)
    {
        var exe = Find() ?? throw new InvalidOperationException("chromium not found");
        // A profile per run, so parallel test runs never share one, and nothing is left in the home directory.
        var profile = Directory.CreateTempSubdirectory("solprof-chromium-");
        try
        {
            var start = new ProcessStartInfo(exe)
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            // --disable-dev-shm-usage: CI containers often have a 64 MB /dev/shm, which several Chromiums rendering at
            // once (the agent's and the CLI's browser tests run in parallel) can fill; a full /dev/shm crashes the renderer.
            foreach (var arg in new[]
            {
                "--headless", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                $"--window-size={Width},{height}", "--virtual-time-budget=4000", "--user-data-dir=" + profile.FullName,
                action, url.AbsoluteUri,
            })
            {
                start.ArgumentList.Add(arg);
            }

            using var process = Process.Start(start) ?? throw new InvalidOperationException($"could not start {exe}");
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            using var guard = new CancellationTokenSource(Guard);
            try
            {
                await process.WaitForExitAsync(guard.Token);
            }
            catch (OperationCanceledException)
            {
                process.Kill(entireProcessTree: true);
                throw new TimeoutException($"chromium did not finish within {Guard}: {action} {url}");
            }

            var output = await stdout;
            if (process.ExitCode != 0)
                throw new InvalidOperationException($"chromium exited with {process.ExitCode}: {await stderr}");
            return output;
        }
        finally
        {
            try
            {
                profile.Delete(recursive: true);
            }
            catch (IOException)
            {
                // A helper process may still hold a file for a moment; a leftover temp folder is harmless.
            }
        }
    }

    private static string? Locate()
    {
        var configured = Environment.GetEnvironmentVariable("SOLPROF_CHROMIUM");
        if (!string.IsNullOrEmpty(configured))
            return File.Exists(configured) ? configured : null;
        if (File.Exists("/usr/bin/chromium"))
            return "/usr/bin/chromium";
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome", "chrome" })
            {
                var candidate = Path.Combine(dir, name);
                if (File.Exists(candidate))
                    return candidate;
            }
        }

        return null;
    }
}
