using SolProfiler.Agent.Configuration;

namespace SolProfiler.Agent.Tests.Configuration;

/// <summary>The options of configuration-from-the-server: model auto, TP and KV left unset.</summary>
public sealed class ServerConfigurationOptionsTests
{
    private static readonly Dictionary<string, string?> NoEnvironment = [];

    private static AgentOptions Load(params (string Key, string Value)[] pairs) =>
        AgentConfiguration.Load(null, pairs.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.OrdinalIgnoreCase), NoEnvironment);

    [Fact]
    public void Model_auto_with_a_serving_source_is_valid_and_tp_and_kv_stay_unset()
    {
        var options = Load(("model", "auto"), ("gpu", "h100-sxm"), ("serving:url", "http://127.0.0.1:8000/metrics"));
        Assert.Equal("auto", options.Model);
        Assert.Null(options.Tp);
        Assert.Null(options.Kv);
    }

    [Fact]
    public void Model_auto_without_a_serving_source_is_one_clear_error()
    {
        var e = Assert.Throws<AgentConfigurationException>(() => Load(("model", "AUTO"), ("gpu", "h100-sxm")));
        Assert.Contains("model (--model): auto needs a serving source to read the served model from; set --serving-url", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("x", "tp: 'x' is not a whole number")]
    [InlineData("0", "tp (--tp): 0 must be >= 1")]
    public void A_bad_tp_names_the_key(string value, string message)
    {
        var e = Assert.Throws<AgentConfigurationException>(() => Load(("model", "llama-3.1-8b"), ("gpu", "h100-sxm"), ("tp", value)));
        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }
}
