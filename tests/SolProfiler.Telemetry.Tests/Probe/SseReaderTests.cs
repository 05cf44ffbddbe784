using System.Text;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Telemetry.Tests.Probe;

public class SseReaderTests
{
    // Mixed line endings, comments, multi-line data, event types, ids, a field without a colon, "data:" without a
    // space, multi-byte UTF-8 (2, 3 and 4 bytes), an event with no data (not dispatched) and a last event whose blank
    // line never comes (returned: its lines are complete).
    private const string Sample =
        ": keep-alive\n\n" +
        "data: {\"a\":1}\n\n" +
        "data: first\r\ndata: second\r\n\r\n" +
        ":comment\r\n" +
        "event: error\nid: 7\ndata: {\"error\":{\"message\":\"boom\"}}\n\n" +
        "data:no-space\nretry: 100\nunknown: x\n\n" +
        "event: ping\n\n" +
        "data\n\n" +
        "data: héllo wörld 世界 🙂\r\n\r\n" +
        "data:  two spaces\n\n" +
        "data: [DONE]\n";

    private static readonly SseEvent[] Expected =
    [
        new("message", "{\"a\":1}", null),
        new("message", "first\nsecond", null),
        new("error", "{\"error\":{\"message\":\"boom\"}}", "7"),
        new("message", "no-space", null),
        new("message", "héllo wörld 世界 🙂", null),
        new("message", " two spaces", null),
        new("message", "[DONE]", null),
    ];

    private static async Task<List<SseEvent>> ReadAll(Stream stream, int bufferSize = 16 * 1024, SseLimits? limits = null)
    {
        var reader = new SseReader(stream, limits, bufferSize);
        var events = new List<SseEvent>();
        while (await reader.ReadEventAsync() is { } e)
        {
            events.Add(e);
        }

        return events;
    }

    [Fact]
    public async Task Reads_the_sample_in_one_piece()
    {
        var events = await ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(Sample)));
        Assert.Equal(Expected, events);
    }

    [Fact]
    public async Task Reads_the_same_events_when_the_bytes_are_split_at_every_position()
    {
        var bytes = Encoding.UTF8.GetBytes(Sample);
        for (var split = 0; split <= bytes.Length; split++)
        {
            foreach (var bufferSize in new[] { 1, 5, 16 * 1024 })
            {
                var events = await ReadAll(new SplitStream(bytes, [split]), bufferSize);
                Assert.True(Expected.SequenceEqual(events), $"split at byte {split}, buffer {bufferSize}");
            }
        }
    }

    [Fact]
    public async Task Reads_the_same_events_one_byte_at_a_time_and_in_random_pieces()
    {
        var bytes = Encoding.UTF8.GetBytes(Sample);
        Assert.Equal(Expected, await ReadAll(new SplitStream(bytes, Enumerable.Range(1, bytes.Length).ToArray())));
        var random = new Random(1234);
        for (var trial = 0; trial < 200; trial++)
        {
            var cuts = Enumerable.Range(0, random.Next(1, 12)).Select(_ => random.Next(0, bytes.Length + 1)).Order().ToArray();
            Assert.True(Expected.SequenceEqual(await ReadAll(new SplitStream(bytes, cuts), random.Next(1, 64))), $"cuts {string.Join(",", cuts)}");
        }
    }

    [Fact]
    public async Task Counts_comment_lines_and_skips_a_byte_order_mark()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes(": ka\n: ka\n\ndata: x\n\n")).ToArray();
        var reader = new SseReader(new SplitStream(bytes, [1, 2]));
        var e = await reader.ReadEventAsync();
        Assert.Equal("x", e?.Data);
        Assert.Equal(2, reader.CommentLines);
        Assert.Null(await reader.ReadEventAsync());
    }

    [Fact]
    public async Task Drops_a_partial_last_line_and_says_so()
    {
        var reader = new SseReader(new MemoryStream(Encoding.UTF8.GetBytes("data: a\n\ndata: {\"trunc")));
        Assert.Equal("a", (await reader.ReadEventAsync())?.Data);
        Assert.Null(await reader.ReadEventAsync());
        Assert.True(reader.EndedInsideLine);
    }

    [Fact]
    public async Task Empty_stream_has_no_events()
    {
        var reader = new SseReader(new MemoryStream());
        Assert.Null(await reader.ReadEventAsync());
        Assert.False(reader.EndedInsideLine);
    }

    [Theory]
    [InlineData("\n")]
    [InlineData("\r\n")]
    public async Task Accepts_a_line_exactly_at_the_limit_and_refuses_one_byte_more(string newline)
    {
        var limits = new SseLimits { MaxLineBytes = 32 };
        var atLimit = "data: " + new string('x', 32 - 6);
        var events = await ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(atLimit + newline + newline)), bufferSize: 7, limits);
        Assert.Equal(new string('x', 26), Assert.Single(events).Data);

        var over = atLimit + "x";
        await Assert.ThrowsAsync<SseFormatException>(() => ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(over + newline + newline)), bufferSize: 7, limits));
    }

    [Fact]
    public async Task Refuses_an_endless_line_without_buffering_it_all()
    {
        var endless = new EndlessStream((byte)'a');
        var e = await Assert.ThrowsAsync<SseFormatException>(() => ReadAll(endless, limits: new SseLimits { MaxLineBytes = 1000 }));
        Assert.Contains("1000", e.Message, StringComparison.Ordinal);
        Assert.True(endless.BytesRead < 64 * 1024);
    }

    [Fact]
    public async Task Refuses_an_event_with_too_much_data()
    {
        var text = string.Concat(Enumerable.Repeat("data: 0123456789\n", 20)) + "\n";
        await Assert.ThrowsAsync<SseFormatException>(() => ReadAll(new MemoryStream(Encoding.UTF8.GetBytes(text)), limits: new SseLimits { MaxEventBytes = 100 }));
    }

    /// <summary>Returns the bytes in pieces that end at the given offsets (and never more than the caller asks for).</summary>
    private sealed class SplitStream(byte[] data, int[] cuts) : Stream
    {
        private int _position;

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => data.Length;

        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> buffer)
        {
            var next = cuts.Where(c => c > _position).DefaultIfEmpty(data.Length).Min();
            var n = Math.Min(Math.Min(buffer.Length, next - _position), data.Length - _position);
            data.AsSpan(_position, n).CopyTo(buffer);
            _position += n;
            return n;
        }

        public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            ValueTask.FromResult(Read(buffer.Span));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            Task.FromResult(Read(buffer.AsSpan(offset, count)));

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }

    private sealed class EndlessStream(byte value) : Stream
    {
        public long BytesRead { get; private set; }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => BytesRead; set => throw new NotSupportedException(); }

        public override int Read(byte[] buffer, int offset, int count)
        {
            var n = Math.Min(count, 256);
            buffer.AsSpan(offset, n).Fill(value);
            BytesRead += n;
            return n;
        }

        public override void Flush() { }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
