using SolProfiler.Telemetry.IO;

namespace SolProfiler.Fuzz;

/// <summary>
/// A non-seekable read-only stream over a byte array that hands out its bytes in chunks of the given sizes (cycled),
/// as a network body arrives: reads end anywhere, inside a line, between <c>\r</c> and <c>\n</c>, inside a character.
/// </summary>
internal sealed class ChunkedStream(byte[] data, int[] chunkSizes) : ForwardReadStream
{
    private int _position;
    private int _next;

    /// <summary>Bytes handed out so far.</summary>
    public long BytesRead => _position;

    /// <summary>Chunk sizes (1 to 4,096 bytes) derived from <paramref name="salt"/>, so each input gets its own pattern.</summary>
    public static int[] Pattern(uint salt)
    {
        var sizes = new int[1 + (int)(salt % 7)];
        var x = salt | 1;
        for (var i = 0; i < sizes.Length; i++)
        {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            sizes[i] = (x % 4) switch
            {
                0 => 1,
                1 => 1 + (int)(x >> 8) % 7,
                2 => 1 + (int)(x >> 8) % 300,
                _ => 1 + (int)(x >> 8) % 4096,
            };
        }

        return sizes;
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        var chunk = chunkSizes.Length == 0 ? int.MaxValue : chunkSizes[_next++ % chunkSizes.Length];
        var n = Math.Min(Math.Min(chunk, buffer.Length), data.Length - _position);
        data.AsSpan(_position, n).CopyTo(buffer);
        _position += n;
        return n;
    }
}
