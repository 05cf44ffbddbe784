using SolProfiler.Agent.Configuration;
using SolProfiler.Cli.Agent;

namespace SolProfiler.Agent.Tests.Configuration;

public sealed class AgentConfigurationTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("solprof-config-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static Dictionary<string, string?> Flags(params (string Key, string Value)[] pairs) =>
        pairs.ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.OrdinalIgnoreCase);

    private static readonly Dictionary<string, string?> NoEnvironment = [];

    /// <summary>The configuration as solprof agent loads it: the agent's keys and the demo's section.</summary>
    private static AgentOptions Load(string? file, Dictionary<string, string?> flags, IDictionary<string, string?> environment) =>
        AgentStartup.Load(file, flags, environment).Options;

    private string Write(string name, string text)
    {
        var path = Path.Combine(_folder, name);
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void Yaml_file_then_environment_then_flags()
    {
        var file = Write("agent.yaml", """
            model: llama-3.1-8b
            gpu: h100-sxm
            tp: 4
            window: 45s
            serving:
              url: http://127.0.0.1:8000/metrics
              interval: 500ms
            frontierBatches: [1, 16, 256]
            """);
        var env = new Dictionary<string, string?> { ["SOLPROF__TP"] = "2", ["SOLPROF__SERVING__TIMEOUT"] = "3s", ["OTHER"] = "x" };

        var fromEnv = Load(file, Flags(), env);
        var fromFlags = Load(file, Flags(("tp", "8")), env);

        Assert.Equal(2, fromEnv.Tp);
        Assert.Equal(8, fromFlags.Tp);
        Assert.Equal("llama-3.1-8b", fromFlags.Model);
        Assert.Equal(TimeSpan.FromSeconds(45), fromFlags.Window);
        Assert.Equal(TimeSpan.FromMilliseconds(500), fromFlags.Serving.Interval);
        Assert.Equal(TimeSpan.FromSeconds(3), fromFlags.Serving.Timeout);
        Assert.Equal([1, 16, 256], fromFlags.FrontierBatches);
        Assert.Equal("http://0.0.0.0:9464", fromFlags.Urls);
    }

    [Fact]
    public void Demo_defaults_lie_under_the_file_the_environment_and_the_flags()
    {
        var file = Write("demo.yaml", """
            model: llama-3.1-8b
            demoSettings:
              backgroundLoad: false
            """);
        var env = new Dictionary<string, string?> { ["SOLPROF__TP"] = "2" };

        var (fromFlag, demoSettings) = AgentStartup.Load(file, Flags(("demo", "true"), ("kv", "bf16")), env);
        var fromFile = Load(Write("demo-on.yaml", "demo: true\n"), Flags(), NoEnvironment);

        Assert.Equal("llama-3.1-8b", fromFlag.Model); // the file wins over the demo's 70B
        Assert.Equal(2, fromFlag.Tp); // the environment wins over the demo's TP 8
        Assert.Equal("bf16", fromFlag.Kv); // a flag wins over the demo's FP8
        Assert.Equal("fp8", fromFlag.Weights); // what nobody set comes from the demo
        Assert.False(demoSettings.BackgroundLoad);
        Assert.Equal("llama-3.1-70b", fromFile.Model); // `demo: true` in a file brings the defaults as the flag does
        Assert.Equal(8, fromFile.Tp);
        Assert.Equal("http://127.0.0.1:9464", fromFile.Urls);
    }

    [Fact]
    public void Json_file_is_read_the_same_way()
    {
        var file = Write("agent.json", """{ "model": "mixtral-8x7b", "gpu": "h200-sxm", "tp": 2, "gpuSource": { "backend": "none" } }""");

        var options = Load(file, Flags(), NoEnvironment);

        Assert.Equal("mixtral-8x7b", options.Model);
        Assert.Equal("none", options.GpuSource.Backend);
    }

    [Fact]
    public void Every_bad_key_is_named_in_one_error()
    {
        var e = Assert.Throws<AgentConfigurationException>(() => Load(null, Flags(
            ("model", "no-such-model"), ("gpu", "h900"), ("tp", "0"), ("kv", "fp4"), ("serving:url", "ftp://x"), ("gpuSource:backend", "rocm")), NoEnvironment));

        Assert.Contains("model (--model)", e.Message, StringComparison.Ordinal);
        Assert.Contains("gpu (--gpu): 'h900'", e.Message, StringComparison.Ordinal);
        Assert.Contains("tp (--tp): 0 must be >= 1", e.Message, StringComparison.Ordinal);
        Assert.Contains("kv (--kv)", e.Message, StringComparison.Ordinal);
        Assert.Contains("serving:url (--serving-url)", e.Message, StringComparison.Ordinal);
        Assert.Contains("gpuSource:backend (--gpu-backend): 'rocm'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("window", "soon", "window")]
    [InlineData("tp", "eight", "tp")]
    [InlineData("tpp", "8", "tpp")]
    [InlineData("window", "1s", "must hold at least two samples")]
    [InlineData("urls", "localhost:9464", "is not an http(s) listen URL")]
    public void Unparsable_values_and_unknown_keys_name_the_key(string key, string value, string expected)
    {
        var e = Assert.Throws<AgentConfigurationException>(() => Load(null, Flags(("model", "llama-3.1-8b"), ("gpu", "h100-sxm"), (key, value)), NoEnvironment));

        Assert.Contains(expected, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Every_unknown_key_is_named_with_its_path_in_one_run()
    {
        var file = Write("typos.yaml", "model: llama-3.1-8b\ngpu: h100-sxm\nwindw: 30s\nserving:\n  url: http://127.0.0.1:8000/metrics\n  intervall: 2s\nrecording:\n  maxBytez: 10\ntp: eight\n");

        var e = Assert.Throws<AgentConfigurationException>(() => Load(file, Flags(), NoEnvironment));

        Assert.Contains("unknown key 'windw'", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'serving:intervall'", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'recording'", e.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("'intervall'", e.Message, StringComparison.Ordinal); // never without its section
        Assert.Contains("tp: 'eight' is not a whole number", e.Message, StringComparison.Ordinal); // values checked too
    }

    [Fact]
    public void Missing_config_file_and_missing_model_are_clear()
    {
        Assert.Contains("does not exist", Assert.Throws<AgentConfigurationException>(() => Load(Path.Combine(_folder, "nope.yaml"), Flags(), NoEnvironment)).Message, StringComparison.Ordinal);
        Assert.Contains("model (--model): required", Assert.Throws<AgentConfigurationException>(() => Load(null, Flags(("gpu", "h100-sxm")), NoEnvironment)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void The_demos_section_is_checked_with_the_agents_keys_and_a_host_without_the_demo_refuses_it()
    {
        var file = Write("demo-typo.yaml", """
            demo: true
            demoSettings:
              backgroundLod: false
            serving:
              intervall: 1s
            """);

        var e = Assert.Throws<AgentConfigurationException>(() => Load(file, Flags(), NoEnvironment));
        Assert.Contains("unknown key 'demoSettings:backgroundLod'", e.Message, StringComparison.Ordinal);
        Assert.Contains("unknown key 'serving:intervall'", e.Message, StringComparison.Ordinal);

        var bare = Assert.Throws<AgentConfigurationException>(() => AgentConfiguration.Load(null, Flags(("demo", "true")), NoEnvironment));
        Assert.Contains("this host has no demo", bare.Message, StringComparison.Ordinal);
    }
}
