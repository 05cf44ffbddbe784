using SolProfiler.Fuzz;
using System.Text;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Tests.Exposition;

/// <summary>Table-driven: each grammar feature is one named case with the samples (and metadata) it must give.</summary>
public sealed class ExpositionGrammarTests
{
    private const string Model = "meta-llama/Llama-3.1-8B-Instruct";

    private sealed record Expect(string Name, string[] Labels, double Value, double? Ts = null);

    private sealed record Case(
        string Text,
        Expect[] Samples,
        string? ContentType = null,
        ExpositionFormat Format = ExpositionFormat.PrometheusText004,
        Action<ExpositionDocument>? Extra = null);

    private static Expect S(string name, double value, params string[] labels) => new(name, labels, value);

    private static Expect T(string name, double value, double ts, params string[] labels) => new(name, labels, value, ts);

    private static readonly Dictionary<string, Case> s_cases = new()
    {
        ["counter 0.0.4 with HELP and TYPE"] = new(
            "# HELP vllm:prompt_tokens_total Number of prefill tokens processed.\n" +
            "# TYPE vllm:prompt_tokens_total counter\n" +
            $"vllm:prompt_tokens_total{{engine=\"0\",model_name=\"{Model}\"}} 12345.0\n",
            [S("vllm:prompt_tokens_total", 12345, "engine", "0", "model_name", Model)],
            Extra: d =>
            {
                var f = d.Families["vllm:prompt_tokens_total"];
                Assert.Equal(MetricType.Counter, f.Type);
                Assert.Equal("Number of prefill tokens processed.", f.Help);
            }),
        ["counter OpenMetrics _total and _created filed under the family"] = new(
            "# TYPE vllm:generation_tokens counter\n# HELP vllm:generation_tokens Generation tokens.\n" +
            "vllm:generation_tokens_total{engine=\"0\"} 42\nvllm:generation_tokens_created{engine=\"0\"} 1.7123456785e9\n# EOF\n",
            [S("vllm:generation_tokens_total", 42, "engine", "0"), S("vllm:generation_tokens_created", 1712345678.5, "engine", "0")],
            Format: ExpositionFormat.OpenMetrics100,
            Extra: d =>
            {
                var f = d.Families["vllm:generation_tokens"];
                Assert.Equal(MetricType.Counter, f.Type);
                Assert.Equal(2, f.Samples.Count);
                Assert.Equal("Generation tokens.", f.Help);
            }),
        ["gauge"] = new(
            "# TYPE vllm:kv_cache_usage_perc gauge\nvllm:kv_cache_usage_perc{engine=\"0\",model_name=\"m\"} 0.25\n",
            [S("vllm:kv_cache_usage_perc", 0.25, "engine", "0", "model_name", "m")],
            Extra: d => Assert.Equal(MetricType.Gauge, d.Families["vllm:kv_cache_usage_perc"].Type)),
        ["histogram with le written 1, 1.0, 1e+06 and +Inf"] = new(
            "# HELP vllm:e2e_request_latency_seconds Histogram of e2e request latency in seconds.\n" +
            "# TYPE vllm:e2e_request_latency_seconds histogram\n" +
            "vllm:e2e_request_latency_seconds_bucket{le=\"0.3\",model_name=\"m\"} 1\n" +
            "vllm:e2e_request_latency_seconds_bucket{le=\"1\",model_name=\"m\"} 2\n" +
            "vllm:e2e_request_latency_seconds_bucket{le=\"2.0\",model_name=\"m\"} 3\n" +
            "vllm:e2e_request_latency_seconds_bucket{le=\"1e+06\",model_name=\"m\"} 4\n" +
            "vllm:e2e_request_latency_seconds_bucket{le=\"+Inf\",model_name=\"m\"} 5\n" +
            "vllm:e2e_request_latency_seconds_sum{model_name=\"m\"} 7.5\n" +
            "vllm:e2e_request_latency_seconds_count{model_name=\"m\"} 5\n" +
            "vllm:e2e_request_latency_seconds_created{model_name=\"m\"} 1712345678\n",
            [
                S("vllm:e2e_request_latency_seconds_bucket", 1, "le", "0.3", "model_name", "m"),
                S("vllm:e2e_request_latency_seconds_bucket", 2, "le", "1", "model_name", "m"),
                S("vllm:e2e_request_latency_seconds_bucket", 3, "le", "2.0", "model_name", "m"),
                S("vllm:e2e_request_latency_seconds_bucket", 4, "le", "1e+06", "model_name", "m"),
                S("vllm:e2e_request_latency_seconds_bucket", 5, "le", "+Inf", "model_name", "m"),
                S("vllm:e2e_request_latency_seconds_sum", 7.5, "model_name", "m"),
                S("vllm:e2e_request_latency_seconds_count", 5, "model_name", "m"),
                S("vllm:e2e_request_latency_seconds_created", 1712345678, "model_name", "m"),
            ],
            Extra: d =>
            {
                var f = d.Families["vllm:e2e_request_latency_seconds"];
                Assert.Equal(MetricType.Histogram, f.Type);
                Assert.Equal(8, f.Samples.Count);
                Assert.Empty(d.Problems);
            }),
        ["gaugehistogram _bucket _gsum _gcount"] = new(
            "# TYPE sglang:queue_time gaugehistogram\nsglang:queue_time_bucket{le=\"1.0\"} 2\nsglang:queue_time_bucket{le=\"+Inf\"} 3\n" +
            "sglang:queue_time_gsum 4.5\nsglang:queue_time_gcount 3\n# EOF",
            [
                S("sglang:queue_time_bucket", 2, "le", "1.0"), S("sglang:queue_time_bucket", 3, "le", "+Inf"),
                S("sglang:queue_time_gsum", 4.5), S("sglang:queue_time_gcount", 3),
            ],
            Format: ExpositionFormat.OpenMetrics100,
            Extra: d =>
            {
                Assert.Equal(MetricType.GaugeHistogram, d.Families["sglang:queue_time"].Type);
                Assert.Equal(4, d.Families["sglang:queue_time"].Samples.Count);
            }),
        ["summary with quantiles"] = new(
            "# TYPE tgi_request_skipped_tokens summary\ntgi_request_skipped_tokens{quantile=\"0\"} 0\n" +
            "tgi_request_skipped_tokens{quantile=\"0.5\"} 1\ntgi_request_skipped_tokens{quantile=\"1\"} NaN\n" +
            "tgi_request_skipped_tokens_sum 10\ntgi_request_skipped_tokens_count 4\n",
            [
                S("tgi_request_skipped_tokens", 0, "quantile", "0"), S("tgi_request_skipped_tokens", 1, "quantile", "0.5"),
                S("tgi_request_skipped_tokens", double.NaN, "quantile", "1"),
                S("tgi_request_skipped_tokens_sum", 10), S("tgi_request_skipped_tokens_count", 4),
            ],
            Extra: d =>
            {
                Assert.Equal(MetricType.Summary, d.Families["tgi_request_skipped_tokens"].Type);
                Assert.Equal(5, d.Families["tgi_request_skipped_tokens"].Samples.Count);
            }),
        ["untyped in the text format, unknown in OpenMetrics"] = new(
            "# TYPE llamacpp:n_busy_slots_per_decode untyped\nllamacpp:n_busy_slots_per_decode 1.5\n",
            [S("llamacpp:n_busy_slots_per_decode", 1.5)],
            Extra: d => Assert.Equal(MetricType.Untyped, d.Families["llamacpp:n_busy_slots_per_decode"].Type)),
        ["OpenMetrics unknown"] = new(
            "# TYPE other unknown\nother 2\n# EOF\n",
            [S("other", 2)],
            Format: ExpositionFormat.OpenMetrics100,
            Extra: d => Assert.Equal(MetricType.Unknown, d.Families["other"].Type)),
        ["info family with _info sample"] = new(
            "# TYPE vllm:cache_config info\nvllm:cache_config_info{block_size=\"16\",cache_dtype=\"auto\"} 1\n# EOF\n",
            [S("vllm:cache_config_info", 1, "block_size", "16", "cache_dtype", "auto")],
            Format: ExpositionFormat.OpenMetrics100,
            Extra: d => Assert.Equal(MetricType.Info, d.Families["vllm:cache_config"].Type)),
        ["stateset"] = new(
            "# TYPE vllm:engine_sleep_state stateset\nvllm:engine_sleep_state{sleep_state=\"awake\"} 1\n" +
            "vllm:engine_sleep_state{sleep_state=\"discard_all\"} 0\n# EOF\n",
            [S("vllm:engine_sleep_state", 1, "sleep_state", "awake"), S("vllm:engine_sleep_state", 0, "sleep_state", "discard_all")],
            Format: ExpositionFormat.OpenMetrics100,
            Extra: d => Assert.Equal(MetricType.StateSet, d.Families["vllm:engine_sleep_state"].Type)),
        ["UNIT metadata"] = new(
            "# TYPE dynamo_frontend_request_duration_seconds gauge\n# UNIT dynamo_frontend_request_duration_seconds seconds\n" +
            "dynamo_frontend_request_duration_seconds 0.5\n# EOF\n",
            [S("dynamo_frontend_request_duration_seconds", 0.5)],
            Format: ExpositionFormat.OpenMetrics100,
            Extra: d => Assert.Equal("seconds", d.Families["dynamo_frontend_request_duration_seconds"].Unit)),
        ["missing TYPE: each sample name is its own Unknown family"] = new(
            "tgi_queue_size 3\nfoo_bucket{le=\"1\"} 1\nfoo_bucket{le=\"+Inf\"} 2\nfoo_sum 0.5\n",
            [S("tgi_queue_size", 3), S("foo_bucket", 1, "le", "1"), S("foo_bucket", 2, "le", "+Inf"), S("foo_sum", 0.5)],
            Extra: d =>
            {
                Assert.Equal(MetricType.Unknown, d.Families["tgi_queue_size"].Type);
                Assert.Equal(MetricType.Unknown, d.Families["foo_bucket"].Type);
                Assert.Equal(2, d.Families["foo_bucket"].Samples.Count);
                Assert.Single(d.Families["foo_sum"].Samples);
                Assert.False(d.Families.ContainsKey("foo"));
            }),
        ["HELP after the samples (the text format allows it)"] = new(
            "# TYPE x histogram\nx_bucket{le=\"0.5\"} 1\nx_bucket{le=\"+Inf\"} 2\nx_sum 0.7\nx_count 2\n# HELP x late help\n",
            [S("x_bucket", 1, "le", "0.5"), S("x_bucket", 2, "le", "+Inf"), S("x_sum", 0.7), S("x_count", 2)],
            Extra: d =>
            {
                Assert.Equal(MetricType.Histogram, d.Families["x"].Type);
                Assert.Equal("late help", d.Families["x"].Help);
                Assert.Equal(4, d.Families["x"].Samples.Count);
                Assert.False(d.Families.ContainsKey("x_bucket"));
            }),
        ["prometheus_client 0.0.4: _created typed as its own gauge family"] = new(
            "# TYPE vllm:num_preemptions_total counter\nvllm:num_preemptions_total 3\n" +
            "# TYPE vllm:num_preemptions_created gauge\nvllm:num_preemptions_created 1712345678\n",
            [S("vllm:num_preemptions_total", 3), S("vllm:num_preemptions_created", 1712345678)],
            Extra: d => Assert.Equal(MetricType.Gauge, d.Families["vllm:num_preemptions_created"].Type)),
        ["CRLF line endings"] = new(
            "# TYPE a gauge\r\na{x=\"1\"} 1\r\n\r\nb 2\r\n",
            [S("a", 1, "x", "1"), S("b", 2)]),
        ["label value escapes"] = new(
            "a{p=\"C:\\\\models\\\\x\",q=\"say \\\"hi\\\"\",r=\"two\\nlines\"} 1\n",
            [S("a", 1, "p", "C:\\models\\x", "q", "say \"hi\"", "r", "two\nlines")]),
        ["label values containing , } = and spaces"] = new(
            "a{p=\"x,y}z=w v\"} 1\n",
            [S("a", 1, "p", "x,y}z=w v")]),
        ["trailing comma, spaces after commas, empty braces, blanks"] = new(
            "DCGM_FI_DEV_GPU_UTIL{gpu=\"0\", UUID=\"GPU-abc\", modelName=\"NVIDIA H100 80GB HBM3\",} 87\nb{} 2\n  c \t 3  \n",
            [S("DCGM_FI_DEV_GPU_UTIL", 87, "gpu", "0", "UUID", "GPU-abc", "modelName", "NVIDIA H100 80GB HBM3"), S("b", 2), S("c", 3)]),
        ["timestamps 0.0.4 are milliseconds"] = new(
            "a 1 1712345678901\nb 2 -1000\n",
            [T("a", 1, 1712345678.901), T("b", 2, -1)]),
        ["timestamps OpenMetrics are seconds"] = new(
            "a 1 1712345678.5\nb 2 1712345679\n# EOF\n",
            [T("a", 1, 1712345678.5), T("b", 2, 1712345679)],
            Format: ExpositionFormat.OpenMetrics100),
        ["NaN and infinities"] = new(
            "a NaN\nb +Inf\nc -Inf\nd Inf\ne nan\nf +inf\ng -Infinity\n",
            [
                S("a", double.NaN), S("b", double.PositiveInfinity), S("c", double.NegativeInfinity),
                S("d", double.PositiveInfinity), S("e", double.NaN), S("f", double.PositiveInfinity), S("g", double.NegativeInfinity),
            ]),
        ["number forms"] = new(
            "a 1e-05\nb 1.5E+09\nc 9223372036854775794\nd -0.5\ne 0.1\nf 123456789012345678\ng +3\n",
            [
                S("a", 1e-05), S("b", 1.5e9), S("c", 9223372036854775794d), S("d", -0.5), S("e", 0.1),
                S("f", 123456789012345678d), S("g", 3),
            ]),
        ["exemplars are ignored"] = new(
            "# TYPE h histogram\nh_bucket{le=\"0.5\"} 3 # {trace_id=\"abc\",span_id=\"d\"} 0.4 1712345678.1\n" +
            "h_bucket{le=\"+Inf\"} 4 1712345679 # {trace_id=\"x # y\"} 2\nh_count 4\n# EOF\n",
            [S("h_bucket", 3, "le", "0.5"), T("h_bucket", 4, 1712345679, "le", "+Inf"), S("h_count", 4)],
            Format: ExpositionFormat.OpenMetrics100),
        ["HELP with escapes"] = new(
            "# HELP a path C:\\\\x\\nsecond line \\\"q\\\"\n# TYPE a gauge\na 1\n",
            [S("a", 1)],
            Extra: d => Assert.Equal("path C:\\x\nsecond line \"q\"", d.Families["a"].Help)),
        ["OpenMetrics by content type"] = new(
            "a 1 5\n# EOF\n",
            [T("a", 1, 5)],
            ContentType: "application/openmetrics-text; version=1.0.0; charset=utf-8",
            Format: ExpositionFormat.OpenMetrics100),
        ["# EOF without trailing newline selects OpenMetrics"] = new(
            "a 1 5\n# EOF",
            [T("a", 1, 5)],
            Format: ExpositionFormat.OpenMetrics100,
            Extra: d => Assert.Empty(d.Problems)),
        ["text/plain content type and no # EOF is 0.0.4"] = new(
            "a 1 5000\n",
            [T("a", 1, 5)],
            ContentType: "text/plain; version=0.0.4; charset=utf-8"),
        ["arbitrary comments and blank lines"] = new(
            "# just a comment\n#\n\n# HELPX not metadata\n   \n#TYPE-ish\na 1\n",
            [S("a", 1)],
            Extra: d => Assert.Equal(0, d.LineErrorCount)),
        ["UTF-8 names and values"] = new(
            "métrique_total{modèle=\"模型 🚀\"} 1\n{\"my.metric\",\"my.label\"=\"v\"} 2\n{\"only.name\"} 3\n",
            [S("métrique_total", 1, "modèle", "模型 🚀"), S("my.metric", 2, "my.label", "v"), S("only.name", 3)]),
        ["duplicate label name is a line error"] = new(
            "a{x=\"1\",x=\"2\"} 1\nb 2\n",
            [S("b", 2)],
            Extra: d => Assert.Equal(1, d.LineErrorCount)),
    };

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var name in s_cases.Keys)
        {
            data.Add(name);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Parses_grammar_case(string caseName)
    {
        var c = s_cases[caseName];
        var bodies = new[]
        {
            ExpositionParser.Parse(new MemoryStream(Encoding.UTF8.GetBytes(c.Text)), contentType: c.ContentType),
            ExpositionParser.Parse(new ChunkedStream(Encoding.UTF8.GetBytes(c.Text), [3]), contentType: c.ContentType),
            ExpositionParser.Parse(c.Text, contentType: c.ContentType),
        };
        foreach (var doc in bodies)
        {
            Assert.Equal(c.Format, doc.Format);
            var all = doc.Families.Values.SelectMany(f => f.Samples).ToList();
            Assert.Equal(c.Samples.Length, all.Count);
            var cursor = new Dictionary<string, int>();
            foreach (var e in c.Samples)
            {
                cursor.TryGetValue(e.Name, out var i);
                cursor[e.Name] = i + 1;
                var actual = doc.Samples(e.Name);
                Assert.True(actual.Count > i, $"missing sample {e.Name} #{i}");
                AssertSample(e, actual[i]);
            }

            c.Extra?.Invoke(doc);
        }
    }

    private static void AssertSample(Expect e, MetricSample a)
    {
        Assert.Equal(e.Name, a.Name);
        var labels = a.Labels.SelectMany(l => new[] { l.Name, l.Value }).ToArray();
        Assert.Equal(e.Labels, labels);
        if (double.IsNaN(e.Value))
        {
            Assert.True(double.IsNaN(a.Value), $"{e.Name}: expected NaN, got {a.Value}");
        }
        else
        {
            Assert.Equal(e.Value, a.Value);
        }

        if (e.Ts is null)
        {
            Assert.Null(a.TimestampSeconds);
        }
        else
        {
            Assert.NotNull(a.TimestampSeconds);
            Assert.Equal(e.Ts.Value, a.TimestampSeconds.Value, 6);
        }
    }
}
