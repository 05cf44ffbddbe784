using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Telemetry.Tests.Probe;

public class ProbeOptionsTests
{
    private static readonly Uri Local = new("http://127.0.0.1:8000");

    [Theory]
    [InlineData("http://127.0.0.1:8000", ProbeApi.Completions, "http://127.0.0.1:8000/v1/completions")]
    [InlineData("http://127.0.0.1:8000/", ProbeApi.Chat, "http://127.0.0.1:8000/v1/chat/completions")]
    [InlineData("http://host:8000/v1", ProbeApi.Chat, "http://host:8000/v1/chat/completions")]
    [InlineData("https://gw.example/llm/v1/", ProbeApi.Completions, "https://gw.example/llm/v1/completions")]
    [InlineData("https://gw.example/llm?x=1", ProbeApi.Completions, "https://gw.example/llm/v1/completions")]
    public void Request_uri_appends_the_route_once(string endpoint, ProbeApi api, string expected)
    {
        var options = new ProbeOptions { Endpoint = ProbeOptions.ParseEndpoint(endpoint), Model = "m", Api = api };
        Assert.Equal(expected, options.RequestUri.ToString());
    }

    [Theory]
    [InlineData("localhost:8000")]
    [InlineData("ftp://host/")]
    [InlineData("not a url")]
    [InlineData("")]
    [InlineData("http://user:pw@host:8000")]
    public void Bad_endpoints_are_one_line_errors(string text)
    {
        var e = Assert.Throws<ProbeOptionsException>(() => ProbeOptions.ParseEndpoint(text));
        Assert.DoesNotContain('\n', e.Message);
        if (text.Length > 0)
        {
            Assert.DoesNotContain("pw", e.Message.Replace(text, "", StringComparison.Ordinal), StringComparison.Ordinal);
        }
    }

    [Theory]
    [InlineData("60s", 60)]
    [InlineData("60", 60)]
    [InlineData("500ms", 0.5)]
    [InlineData("1.5s", 1.5)]
    [InlineData("2m", 120)]
    [InlineData("1h", 3600)]
    public void Durations_parse(string text, double seconds) => Assert.Equal(seconds, ProbeOptions.ParseDuration(text).TotalSeconds, 9);

    [Theory]
    [InlineData("0s")]
    [InlineData("-1s")]
    [InlineData("abc")]
    [InlineData("10x")]
    [InlineData("2d")]
    public void Bad_durations_are_errors(string text) => Assert.Throws<ProbeOptionsException>(() => ProbeOptions.ParseDuration(text));

    [Fact]
    public void Validate_names_the_bad_setting()
    {
        var ok = new ProbeOptions { Endpoint = Local, Model = "m" };
        ok.Validate();
        Assert.Contains("max tokens", Assert.Throws<ProbeOptionsException>(() => (ok with { MaxTokens = 0 }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("min tokens", Assert.Throws<ProbeOptionsException>(() => (ok with { MinTokens = 200 }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("model", Assert.Throws<ProbeOptionsException>(() => (ok with { Model = " " }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("timeout", Assert.Throws<ProbeOptionsException>(() => (ok with { RequestTimeout = TimeSpan.Zero }).Validate()).Message, StringComparison.Ordinal);
        Assert.Contains("not both", Assert.Throws<ProbeOptionsException>(() => (ok with { ApiKeyEnvironmentVariable = "A", ApiKeyFile = "b" }).Validate()).Message, StringComparison.Ordinal);
        Assert.Throws<ProbeOptionsException>(() => (ok with { Endpoint = new Uri("ftp://x/") }).Validate());
    }

    [Fact]
    public void Missing_key_sources_fail_when_the_probe_is_built()
    {
        using var http = new HttpClient();
        var ok = new ProbeOptions { Endpoint = Local, Model = "m" };
        var unset = "SOLPROF_PROBE_UNSET_" + Guid.NewGuid().ToString("N");
        var e = Assert.Throws<ProbeOptionsException>(() => new StreamingProbe(http, ok with { ApiKeyEnvironmentVariable = unset }));
        Assert.Contains(unset, e.Message, StringComparison.Ordinal);

        var missing = Path.Combine(Path.GetTempPath(), "solprof-no-such-key-" + Guid.NewGuid().ToString("N"));
        e = Assert.Throws<ProbeOptionsException>(() => new StreamingProbe(http, ok with { ApiKeyFile = missing }));
        Assert.Contains("cannot read", e.Message, StringComparison.Ordinal);

        Assert.False(new StreamingProbe(http, ok).HasApiKey);
    }

    [Fact]
    public void A_key_with_a_newline_inside_is_refused_without_echoing_it()
    {
        using var http = new HttpClient();
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "part-one\npart-two");
        try
        {
            var e = Assert.Throws<ProbeOptionsException>(() => new StreamingProbe(http, new ProbeOptions { Endpoint = Local, Model = "m", ApiKeyFile = file }));
            Assert.DoesNotContain("part-", e.Message, StringComparison.Ordinal);
        }
        finally
        {
            File.Delete(file);
        }
    }

    [Fact]
    public void Options_and_probe_text_never_show_the_key()
    {
        using var http = new HttpClient();
        var variable = "SOLPROF_PROBE_KEY_" + Guid.NewGuid().ToString("N");
        Environment.SetEnvironmentVariable(variable, "sk-very-secret-value");
        try
        {
            var options = new ProbeOptions { Endpoint = Local, Model = "m", ApiKeyEnvironmentVariable = variable };
            var probe = new StreamingProbe(http, options);
            Assert.True(probe.HasApiKey);
            Assert.DoesNotContain("sk-very-secret-value", options.ToString(), StringComparison.Ordinal);
            Assert.DoesNotContain("sk-very-secret-value", probe.RequestBody, StringComparison.Ordinal);
            Assert.DoesNotContain("sk-very-secret-value", probe.ToString()!, StringComparison.Ordinal);
        }
        finally
        {
            Environment.SetEnvironmentVariable(variable, null);
        }
    }
}
