namespace SolProfiler.Agent.Tests.EndToEnd;

/// <summary>A fact that needs Debian's Prometheus server: skipped where it is not installed (CI installs it).</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class PrometheusFactAttribute : FactAttribute
{
    public PrometheusFactAttribute()
    {
        if (!PrometheusServer.Installed)
        {
            Skip = "prometheus not found: install the Debian package `prometheus` to run the end-to-end dashboard and rule tests";
        }
    }
}
