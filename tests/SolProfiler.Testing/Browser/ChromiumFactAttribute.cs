namespace SolProfiler.Testing.Browser;

/// <summary>
/// A fact that needs headless Chromium: skipped, with the reason shown, where none is installed (CI installs it).
/// xunit 2 has no skip from inside a test, so the check happens when the attribute is read.
/// </summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class ChromiumFactAttribute : FactAttribute
{
    public ChromiumFactAttribute()
    {
        if (HeadlessChromium.Find() is null)
        {
            Skip = "chromium not found: install the Debian package `chromium` (or set SOLPROF_CHROMIUM to a Chromium " +
                "executable) to run the browser tests";
        }
    }
}
