using SolProfiler.Fuzz;
using System.Text;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Tests.Exposition;

public sealed class ExpositionErrorsAndLimitsTests
{
    [Fact]
    public void Bad_lines_are_counted_with_line_numbers_and_good_lines_kept()
    {
        const string text =
            "# TYPE vllm:num_requests_running gauge\n" + // 1
            "vllm:num_requests_running{engine=\"0\"} 4\n" + // 2
            "bad{ 2\n" + // 3  unterminated label set
            "foo{a=b} 1\n" + // 4  unquoted value
            "foo 1 2 3\n" + // 5  text after timestamp
            "foo abc\n" + // 6  bad value
            "# TYPE foo bogus\n" + // 7  unknown type
            "vllm:num_requests_waiting 2\n" + // 8
            "foo{a=\"x} 1\n" + // 9  unterminated value
            "1foo 1\n" + // 10 bad name
            "foo-bar 1\n" + // 11 bad character
            "foo\n" + // 12 missing value
            "foo 1 notatime\n" + // 13 bad timestamp
            "# HELP\n" + // 14 missing name
            "last 3"; // 15
        var doc = ExpositionParser.Parse(text);
        Assert.Equal(11, doc.LineErrorCount);
        Assert.Equal([3, 4, 5, 6, 7, 9, 10, 11, 12, 13, 14], doc.Errors.Select(e => e.LineNumber).ToArray());
        Assert.Equal(4, doc.Samples("vllm:num_requests_running")[0].Value);
        Assert.Equal(2, doc.Samples("vllm:num_requests_waiting")[0].Value);
        Assert.Equal(3, doc.Samples("last")[0].Value);
        Assert.Equal(3, doc.SeriesCount);
        Assert.Equal(MetricType.Gauge, doc.Families["vllm:num_requests_running"].Type);
        Assert.Contains("line 3:", doc.Errors[0].ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public void Conflicting_TYPE_is_a_line_error_and_the_first_TYPE_wins()
    {
        var doc = ExpositionParser.Parse("# TYPE a gauge\n# TYPE a counter\na 1\n");
        Assert.Equal(1, doc.LineErrorCount);
        Assert.Equal(2, doc.Errors[0].LineNumber);
        Assert.Equal(MetricType.Gauge, doc.Families["a"].Type);
    }

    [Fact]
    public void All_errors_are_counted_but_only_MaxErrorsKept_kept()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < 30; i++)
        {
            sb.Append("broken{\n").Append("ok_").Append(i).Append(" 1\n");
        }

        var doc = ExpositionParser.Parse(sb.ToString(), new ExpositionLimits { MaxErrorsKept = 5 });
        Assert.Equal(30, doc.LineErrorCount);
        Assert.Equal(5, doc.Errors.Count);
        Assert.Equal([1, 3, 5, 7, 9], doc.Errors.Select(e => e.LineNumber).ToArray());
        Assert.Equal(30, doc.SeriesCount);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(4096)]
    public void Overlong_line_is_a_line_error_and_the_next_lines_are_kept(int chunk)
    {
        var longLine = "big{v=\"" + new string('x', 5000) + "\"} 1\n";
        var text = "a 1\n" + longLine + "b 2\n" + longLine + "c 3\n" + longLine.TrimEnd('\n');
        var limits = new ExpositionLimits { MaxLineBytes = 100 };
        var doc = ExpositionParser.Parse(new ChunkedStream(Encoding.UTF8.GetBytes(text), [chunk]), limits);
        Assert.Equal(3, doc.LineErrorCount);
        Assert.Equal([2, 4, 6], doc.Errors.Select(e => e.LineNumber).ToArray());
        Assert.All(doc.Errors, e => Assert.Contains("MaxLineBytes", e.Message, StringComparison.Ordinal));
        Assert.Equal(3, doc.SeriesCount);
        Assert.Equal(3, doc.Samples("c")[0].Value);
    }

    [Fact]
    public void Line_of_exactly_MaxLineBytes_is_accepted_with_CRLF()
    {
        var line = "a{v=\"" + new string('y', 100 - 9) + "\"} 1";
        Assert.Equal(100, line.Length);
        var doc = ExpositionParser.Parse(new ChunkedStream(Encoding.UTF8.GetBytes(line + "\r\n" + line.Replace("a{", "b{", StringComparison.Ordinal) + "\r\n"), [5]), new ExpositionLimits { MaxLineBytes = 100 });
        Assert.Equal(0, doc.LineErrorCount);
        Assert.Equal(2, doc.SeriesCount);
    }

    [Fact]
    public void Duplicate_series_in_any_label_order_keeps_the_first_and_is_a_problem()
    {
        const string text = "# TYPE vllm:num_requests_running gauge\n" +
                            "vllm:num_requests_running{engine=\"0\",model_name=\"m\"} 1\n" +
                            "vllm:num_requests_running{model_name=\"m\",engine=\"0\"} 2\n" +
                            "vllm:num_requests_running{model_name=\"m\",engine=\"1\"} 3\n";
        var doc = ExpositionParser.Parse(text);
        var running = doc.Samples("vllm:num_requests_running");
        Assert.Equal(2, running.Count);
        Assert.Equal(1, running[0].Value);
        Assert.Equal(3, running[1].Value);
        var problem = Assert.Single(doc.Problems);
        Assert.Equal(3, problem.LineNumber);
        Assert.Contains("duplicate series vllm:num_requests_running{model_name=\"m\",engine=\"0\"} at line 3", problem.Message, StringComparison.Ordinal);
        Assert.Equal(0, doc.LineErrorCount);
    }

    [Fact]
    public void Same_series_with_different_timestamps_is_not_a_duplicate()
    {
        var doc = ExpositionParser.Parse("a{x=\"1\"} 1 1000\na{x=\"1\"} 2 2000\n");
        Assert.Empty(doc.Problems);
        Assert.Equal([1.0, 2.0], doc.Samples("a").Select(s => s.TimestampSeconds!.Value).ToArray());
    }

    [Fact]
    public void Histogram_series_without_Inf_bucket_is_a_problem()
    {
        const string text = "# TYPE vllm:time_to_first_token_seconds histogram\n" +
                            "vllm:time_to_first_token_seconds_bucket{model_name=\"a\",le=\"0.1\"} 1\n" +
                            "vllm:time_to_first_token_seconds_bucket{model_name=\"a\",le=\"+Inf\"} 2\n" +
                            "vllm:time_to_first_token_seconds_bucket{model_name=\"b\",le=\"0.1\"} 1\n" +
                            "vllm:time_to_first_token_seconds_bucket{le=\"1.0\",model_name=\"b\"} 1\n" +
                            "vllm:time_to_first_token_seconds_count{model_name=\"b\"} 1\n";
        var doc = ExpositionParser.Parse(text);
        var problem = Assert.Single(doc.Problems);
        Assert.Contains("vllm:time_to_first_token_seconds_bucket{model_name=\"b\"}", problem.Message, StringComparison.Ordinal);
        Assert.Contains("+Inf", problem.Message, StringComparison.Ordinal);
        Assert.Equal(4, problem.LineNumber);
    }

    [Fact]
    public void Untyped_buckets_without_Inf_are_also_a_problem()
    {
        var doc = ExpositionParser.Parse("x_bucket{le=\"1\"} 1\n");
        Assert.Contains("x_bucket", Assert.Single(doc.Problems).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OpenMetrics_without_EOF_is_truncated()
    {
        var doc = ExpositionParser.Parse(
            new MemoryStream("# TYPE a gauge\na 1\n"u8.ToArray()),
            contentType: "application/openmetrics-text; version=1.0.0; charset=utf-8");
        Assert.Equal(ExpositionFormat.OpenMetrics100, doc.Format);
        Assert.Contains(doc.Problems, p => p.Message.StartsWith("truncated: no # EOF", StringComparison.Ordinal));
        Assert.Equal(1, doc.Samples("a")[0].Value);
    }

    [Fact]
    public void OpenMetrics_content_after_EOF_is_a_line_error()
    {
        var doc = ExpositionParser.Parse(
            new MemoryStream("a 1\n# EOF\nb 2\n"u8.ToArray()),
            contentType: "application/openmetrics-text");
        Assert.Empty(doc.Problems);
        Assert.Equal(1, doc.LineErrorCount);
        Assert.Equal(3, doc.Errors[0].LineNumber);
        Assert.False(doc.Contains("b"));
    }

    [Fact]
    public void Oversized_body_throws_naming_the_limit_without_reading_far_past_it()
    {
        var stream = new EndlessStream("# filler comment line\n"u8.ToArray());
        var limits = new ExpositionLimits { MaxBytes = 1024 * 1024 };
        var e = Assert.Throws<ExpositionTooLargeException>(() => ExpositionParser.Parse(stream, limits));
        Assert.Contains("1 MiB", e.Message, StringComparison.Ordinal);
        Assert.Contains("MaxBytes", e.Message, StringComparison.Ordinal);
        Assert.True(stream.BytesRead <= limits.MaxBytes + 1, $"read {stream.BytesRead}");
    }

    [Fact]
    public void Oversized_seekable_body_throws_before_reading()
    {
        var body = new MemoryStream(new byte[17 * 1024 * 1024]);
        var e = Assert.Throws<ExpositionTooLargeException>(() => ExpositionParser.Parse(body));
        Assert.Contains("16 MiB", e.Message, StringComparison.Ordinal);
        Assert.Equal(0, body.Position);
    }

    [Fact]
    public void Oversized_string_throws()
    {
        var e = Assert.Throws<ExpositionTooLargeException>(
            () => ExpositionParser.Parse(new string('#', 2000), new ExpositionLimits { MaxBytes = 1000 }));
        Assert.Contains("1000 bytes", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Oversized_body_throws_async_too()
    {
        var stream = new EndlessStream("a 1\n# c\n"u8.ToArray());
        var limits = new ExpositionLimits { MaxBytes = 64 * 1024, MaxSeries = int.MaxValue };
        var e = await Assert.ThrowsAsync<ExpositionTooLargeException>(() => ExpositionParser.ParseAsync(stream, limits));
        Assert.Contains("64 KiB", e.Message, StringComparison.Ordinal);
        Assert.True(stream.BytesRead <= limits.MaxBytes + 1);
    }

    [Fact]
    public void Too_many_series_throws_naming_the_limit()
    {
        var sb = new StringBuilder();
        for (var i = 0; i < 11; i++)
        {
            sb.Append("vllm:num_requests_running{engine=\"").Append(i).Append("\"} 1\n");
        }

        var e = Assert.Throws<ExpositionTooLargeException>(
            () => ExpositionParser.Parse(sb.ToString(), new ExpositionLimits { MaxSeries = 10 }));
        Assert.Contains("MaxSeries", e.Message, StringComparison.Ordinal);
        Assert.Contains("10", e.Message, StringComparison.Ordinal);
        Assert.Equal(11, ExpositionParser.Parse(sb.ToString(), new ExpositionLimits { MaxSeries = 11 }).SeriesCount);
    }

    [Fact]
    public void Too_many_series_on_an_endless_stream_stops()
    {
        var stream = new EndlessStream("a 1\n"u8.ToArray());
        var e = Assert.Throws<ExpositionTooLargeException>(
            () => ExpositionParser.Scan(stream, new CountingVisitor(), new ExpositionLimits { MaxSeries = 1000 }));
        Assert.Contains("MaxSeries", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task ParseAsync_matches_Parse()
    {
        var text = "# TYPE h histogram\nh_bucket{le=\"1\"} 1\nh_bucket{le=\"+Inf\"} 2\nh_sum 3\nh_count 2\nbad{\n";
        var a = ExpositionParser.Parse(new MemoryStream(Encoding.UTF8.GetBytes(text)));
        var b = await ExpositionParser.ParseAsync(new ChunkedStream(Encoding.UTF8.GetBytes(text), [2]));
        Assert.Equal(a.SeriesCount, b.SeriesCount);
        Assert.Equal(a.LineErrorCount, b.LineErrorCount);
        Assert.Equal(a.Families["h"].Samples.Select(s => s.Value), b.Families["h"].Samples.Select(s => s.Value));
        Assert.Equal(a.Bytes, b.Bytes);
    }

    [Fact]
    public void Repeated_strings_are_interned()
    {
        var text = "h_bucket{model_name=\"m\",le=\"1\"} 1\nh_bucket{model_name=\"m\",le=\"+Inf\"} 2\nh_sum{model_name=\"m\"} 3\nh_count{model_name=\"m\"} 2\n";
        var doc = ExpositionParser.Parse(text);
        var b = doc.Samples("h_bucket");
        Assert.Same(b[0].Name, b[1].Name);
        Assert.Same(b[0].Labels[0].Value, b[1].Labels[0].Value);
        Assert.Same(b[0].Labels[1].Name, b[1].Labels[1].Name);
        Assert.Same(doc.Samples("h_sum")[0].Labels, doc.Samples("h_count")[0].Labels);
    }

    [Fact]
    public void Scan_visits_samples_metadata_and_errors_as_spans()
    {
        var text = "# HELP a help\n# TYPE a gauge\na{x=\"q\\\"\",y=\"2\"} 1.5 3000\nbad{\n# EOF\n"u8.ToArray();
        var visitor = new RecordingVisitor();
        var result = ExpositionParser.Scan(new MemoryStream(text), visitor);
        Assert.Equal(ExpositionFormat.OpenMetrics100, result.Format);
        Assert.True(result.EofSeen);
        Assert.False(result.Truncated);
        Assert.Equal(1, result.Samples);
        Assert.Equal(1, result.LineErrors);
        Assert.Equal(text.Length, result.Bytes);
        Assert.Equal(["help a:help", "type a:Gauge", "sample a x=q\" y=2 1.5 ts=3000", "error 4"], visitor.Events);
    }

    [Fact]
    public void Scan_allocates_independently_of_body_size()
    {
        static byte[] Body(int series)
        {
            var sb = new StringBuilder();
            for (var i = 0; i < series; i++)
            {
                sb.Append("vllm:e2e_request_latency_seconds_bucket{engine=\"").Append(i % 8)
                    .Append("\",le=\"").Append(i % 25).Append(".0\",model_name=\"m").Append(i).Append("\"} ")
                    .Append(i * 1.25).Append('\n');
            }

            return Encoding.UTF8.GetBytes(sb.ToString());
        }

        var small = Body(2_000);
        var large = Body(40_000);
        var limits = new ExpositionLimits { MaxSeries = 1_000_000 };
        var visitor = new CountingVisitor();
        ExpositionParser.Scan(new MemoryStream(small), visitor, limits); // warm up pools and JIT
        var before = GC.GetAllocatedBytesForCurrentThread();
        ExpositionParser.Scan(new MemoryStream(small), visitor, limits);
        var smallBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        before = GC.GetAllocatedBytesForCurrentThread();
        ExpositionParser.Scan(new MemoryStream(large), visitor, limits);
        var largeBytes = GC.GetAllocatedBytesForCurrentThread() - before;
        Assert.True(largeBytes < smallBytes + 16 * 1024, $"small body {smallBytes} B allocated, 20x body {largeBytes} B");
        Assert.Equal(2_000 + 2_000 + 40_000, visitor.Samples);
    }

    internal sealed class CountingVisitor : IExpositionVisitor
    {
        public long Samples { get; private set; }

        public double Sum { get; private set; }

        public void OnSample(in ExpositionSample sample)
        {
            Samples++;
            Sum += sample.Value;
        }
    }

    private sealed class RecordingVisitor : IExpositionVisitor
    {
        public List<string> Events { get; } = [];

        public void OnSample(in ExpositionSample sample)
        {
            var sb = new StringBuilder("sample ").Append(Encoding.UTF8.GetString(sample.Name));
            for (var i = 0; i < sample.LabelCount; i++)
            {
                sb.Append(' ').Append(Encoding.UTF8.GetString(sample.LabelName(i))).Append('=')
                    .Append(Encoding.UTF8.GetString(sample.LabelValue(i)));
            }

            Assert.True(sample.TryGetLabelValue("y"u8, out var y));
            Assert.True(y.SequenceEqual("2"u8));
            Assert.Equal(3000.0, sample.TimestampSeconds); // OpenMetrics (seekable body ends with # EOF): seconds
            sb.Append(' ').Append(sample.Value.ToString(System.Globalization.CultureInfo.InvariantCulture))
                .Append(" ts=").Append(sample.RawTimestamp!.Value.ToString(System.Globalization.CultureInfo.InvariantCulture));
            Events.Add(sb.ToString());
        }

        public void OnType(ReadOnlySpan<byte> metricName, MetricType type, int lineNumber) =>
            Events.Add($"type {Encoding.UTF8.GetString(metricName)}:{type}");

        public void OnHelp(ReadOnlySpan<byte> metricName, ReadOnlySpan<byte> text, int lineNumber) =>
            Events.Add($"help {Encoding.UTF8.GetString(metricName)}:{Encoding.UTF8.GetString(text)}");

        public void OnLineError(int lineNumber, string message, ReadOnlySpan<byte> lineText) =>
            Events.Add($"error {lineNumber}");
    }
}
