using System.Diagnostics;
using System.Text;
using SolProfiler.Fuzz;
using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Probe;
using Xunit.Abstractions;

namespace SolProfiler.Telemetry.Tests.Fuzz;

/// <summary>
/// Bounded random inputs through the two parsers that read untrusted bytes, with the fuzz harness's own mutator and
/// targets (tests/fuzz/SolProfiler.Fuzz, linked): the seed corpus as it is, then a fixed-seed run of mutations of it
/// (byte flips, special characters, huge and special numbers, truncations, very long lines, repeated lines, CRLF
/// swaps, trailing blank lines). An input fails when a parser throws anything but its documented refusal (<see cref="ExpositionTooLargeException"/>,
/// <see cref="SseFormatException"/>; the probe never throws) or breaks an invariant: limits respected, no series
/// without a name, the same result whatever the read sizes, Parse(string) as Parse(Stream), gaps bounded by the request.
/// One class per parser, so the two batches run side by side.
/// </summary>
internal static class ParserRandomInputs
{
    public const int Seed = 20_260_801;

    /// <summary>Mutations per parser of at most <see cref="SmallInputBytes"/> bytes: the bulk of the run.</summary>
    public const int SmallInputs = 10_000;

    public const int SmallInputBytes = 2 * 1024;

    /// <summary>Mutations per parser up to <see cref="Mutator.MaxInputBytes"/>: lines past the 64 KiB line limit, thousands of series.</summary>
    public const int LargeInputs = 40;

    public static void RunMany(string name, Action<byte[]> run, ITestOutputHelper output)
    {
        var corpus = Corpus.Load(Path.Combine(AppContext.BaseDirectory, "FuzzCorpus"), name);
        Assert.NotEmpty(corpus);
        var clock = Stopwatch.StartNew();
        long bytes = 0;
        for (var i = 0; i < corpus.Count; i++)
        {
            Exercise(run, corpus[i], $"seed file {i}");
        }

        for (var i = 0; i < SmallInputs; i++)
        {
            var input = Mutator.ForInput(Seed, i, SmallInputBytes).Next(corpus);
            bytes += input.Length;
            Exercise(run, input, $"small input {i} (seed {Seed})");
        }

        var small = clock.Elapsed;
        long largeBytes = 0;
        for (var i = 0; i < LargeInputs; i++)
        {
            var input = Mutator.ForInput(Seed + 1, i).Next(corpus);
            largeBytes += input.Length;
            Exercise(run, input, $"large input {i} (seed {Seed + 1})");
        }

        output.WriteLine(
            $"{name}: {corpus.Count} seeds and {SmallInputs} small mutations ({bytes / 1024} KiB) in {small.TotalSeconds:0.00} s, " +
            $"{LargeInputs} large ({largeBytes / 1024} KiB) in {(clock.Elapsed - small).TotalSeconds:0.00} s");
    }

    private static void Exercise(Action<byte[]> run, byte[] input, string what)
    {
        try
        {
            run(input);
        }
        catch (Exception e)
        {
            var replay = input.Length <= 4096 ? "\ninput (base64): " + Convert.ToBase64String(input) : "";
            Assert.Fail($"{what}, {input.Length} bytes: {e}{replay}");
        }
    }
}

/// <summary>The exposition parser on the seeds and their mutations, then the fuzzing finds as regressions.</summary>
public sealed class ExpositionRandomInputTests(ITestOutputHelper output)
{
    [Fact]
    public void Exposition_parser_keeps_its_invariants_on_mutated_bodies() => ParserRandomInputs.RunMany("exposition", ExpositionTarget.Run, output);

    /// <summary>
    /// Found by the smoke fuzzer (an exposition mutation): when the body ended inside a line over MaxLineBytes, the
    /// error was reported at line N but the scan said N - 1 lines.
    /// </summary>
    [Fact]
    public void An_over_long_last_line_without_a_newline_is_counted()
    {
        var body = Encoding.UTF8.GetBytes("a 1\n" + new string('b', 300));
        var visitor = new LineErrors();

        var result = ExpositionParser.Scan(new ChunkedStream(body, [7]), visitor, new ExpositionLimits { MaxLineBytes = 100 });

        Assert.Equal(2, result.Lines);
        Assert.Equal([2], visitor.Lines);
        Assert.Equal(1, result.Samples);
        ExpositionTarget.Run(body);
    }

    /// <summary>
    /// Shown by the harness's Parse(string) check: a body ending with <c># EOF</c> then blank lines was OpenMetrics
    /// (timestamps in seconds) through a seekable stream but Prometheus (milliseconds) through Parse(string), whose
    /// tail window was 64 chars; with 300 blank lines, or <c># EOF</c> cut at the edge of the 256-byte window, both
    /// said Prometheus where a non-seekable read says OpenMetrics. A tail that does not hold the last line now leaves
    /// the format to be decided at the end, from the same window for a string as for a stream.
    /// </summary>
    [Theory]
    [InlineData(100)]
    [InlineData(250)]
    [InlineData(251)]
    [InlineData(254)]
    [InlineData(300)]
    public void A_body_ending_with_EOF_then_blank_lines_is_OpenMetrics_on_every_path(int blankLines)
    {
        var text = "a 1 5\n# EOF" + new string('\n', blankLines);
        var bytes = Encoding.UTF8.GetBytes(text);

        ExpositionDocument[] docs =
        [
            ExpositionParser.Parse(new MemoryStream(bytes)),
            ExpositionParser.Parse(new ChunkedStream(bytes, [])),
            ExpositionParser.Parse(text),
        ];

        foreach (var doc in docs)
        {
            Assert.Equal(ExpositionFormat.OpenMetrics100, doc.Format);
            Assert.Equal(5.0, Assert.Single(doc.Samples("a")).TimestampSeconds);
            Assert.Empty(doc.Problems);
        }

        ExpositionTarget.Run(bytes);
    }

    /// <summary>A Prometheus body whose last line is longer than the tail window is still Prometheus (decided when read).</summary>
    [Fact]
    public void A_last_line_longer_than_the_tail_window_is_read_before_the_format_is_decided()
    {
        var text = "a 1 5\nb{x=\"" + new string('y', 400) + "\"} 2 6000\n";
        var bytes = Encoding.UTF8.GetBytes(text);

        var fromStream = ExpositionParser.Parse(new MemoryStream(bytes));
        var fromString = ExpositionParser.Parse(text);

        Assert.Equal(ExpositionFormat.PrometheusText004, fromStream.Format);
        Assert.Equal(ExpositionFormat.PrometheusText004, fromString.Format);
        Assert.Equal(6.0, Assert.Single(fromStream.Samples("b")).TimestampSeconds);
        Assert.Equal(6.0, Assert.Single(fromString.Samples("b")).TimestampSeconds);
        ExpositionTarget.Run(bytes);
    }

    private sealed class LineErrors : IExpositionVisitor
    {
        public List<int> Lines { get; } = [];

        public void OnSample(in ExpositionSample sample)
        {
        }

        public void OnLineError(int lineNumber, string message, ReadOnlySpan<byte> lineText) => Lines.Add(lineNumber);
    }
}

/// <summary>The SSE reader and the streaming probe on the seeds and their mutations, then the fuzzing find as a regression.</summary>
public sealed class SseRandomInputTests(ITestOutputHelper output)
{
    [Fact]
    public void Sse_reader_and_streaming_probe_keep_their_invariants_on_mutated_streams()
    {
        using var target = new SseTarget();
        ParserRandomInputs.RunMany("sse", target.Run, output);
    }

    /// <summary>
    /// Found by the smoke fuzzer (an SSE mutation): a chunk claiming 2^31-1 cumulative completion tokens made the probe
    /// split one inter-token gap into that many samples (OutOfMemoryException). A count over the request's max_tokens
    /// is now taken as unknown: one gap for the chunk, gaps no longer per token, the usage still reported.
    /// </summary>
    [Fact]
    public void Probe_does_not_split_a_gap_by_a_token_count_over_max_tokens()
    {
        var stream = Encoding.UTF8.GetBytes(
            "data: {\"choices\":[{\"text\":\"a\"}]}\n\n" +
            "data: {\"choices\":[{\"text\":\"b\",\"finish_reason\":\"length\"}],\"usage\":{\"completion_tokens\":2147483647}}\n\n" +
            "data: [DONE]\n\n");
        using var target = new SseTarget();

        var r = target.Probe(stream);

        Assert.True(r.Success, r.FailureReason);
        Assert.Equal(2, r.ContentChunks);
        Assert.Single(r.InterTokenGapsSeconds);
        Assert.False(r.GapsPerToken);
        Assert.Equal(int.MaxValue, r.OutputTokens);
        Assert.Equal(TokenCountSource.Usage, r.OutputTokenSource);
        target.Run(stream);
    }

    /// <summary>A count within max_tokens is still trusted: the gap is split per token, as before the fix.</summary>
    [Fact]
    public void Probe_still_splits_a_gap_by_a_token_count_within_max_tokens()
    {
        var stream = Encoding.UTF8.GetBytes(
            "data: {\"choices\":[{\"text\":\"a\"}],\"usage\":{\"completion_tokens\":1}}\n\n" +
            $"data: {{\"choices\":[{{\"text\":\"b\",\"finish_reason\":\"length\"}}],\"usage\":{{\"completion_tokens\":{SseTarget.ProbeMaxTokens}}}}}\n\n" +
            "data: [DONE]\n\n");
        using var target = new SseTarget();

        var r = target.Probe(stream);

        Assert.True(r.Success, r.FailureReason);
        Assert.Equal(SseTarget.ProbeMaxTokens - 1, r.InterTokenGapsSeconds.Count);
        Assert.True(r.GapsPerToken);
    }
}
