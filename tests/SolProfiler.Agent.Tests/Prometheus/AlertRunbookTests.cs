using System.Text.RegularExpressions;

namespace SolProfiler.Agent.Tests.Prometheus;

/// <summary>Every alert's runbook_url points at a "### Alert: Name" section of README.md (GitHub's anchor: alert-name).</summary>
public sealed partial class AlertRunbookTests
{
    [Fact]
    public void Every_alert_has_a_runbook_url_whose_anchor_is_a_readme_section()
    {
        var root = PromtoolRulesTests.FindRepositoryRoot();
        var rules = File.ReadAllText(Path.Combine(root, "dashboards", "prometheus", "rules", "solprof-alerts.yml"));
        var readme = File.ReadAllText(Path.Combine(root, "README.md"));
        var alerts = AlertName().Matches(rules).Select(match => match.Groups[1].Value).ToArray();
        Assert.Equal(6, alerts.Length);
        foreach (var alert in alerts)
        {
            var url = $"https://github.com/solprofiler/solprofiler/blob/main/README.md#alert-{alert.ToLowerInvariant()}";
            Assert.Contains($"runbook_url: {url}", rules, StringComparison.Ordinal);
            Assert.Contains($"\n### Alert: {alert}\n", readme, StringComparison.Ordinal);
        }
    }

    [GeneratedRegex(@"^\s*- alert: (\w+)\s*$", RegexOptions.Multiline)]
    private static partial Regex AlertName();
}
