using System.Buffers.Binary;
using System.IO.Compression;

namespace SolProfiler.Testing.Browser;

/// <summary>
/// Just enough of a PNG decoder to look at a Chromium screenshot: 8-bit RGB or RGBA, not interlaced. Pixels are
/// 0xRRGGBB (alpha dropped: screenshots are opaque), so tests can count colours and look for a known one.
/// </summary>
public sealed class PngImage
{
    private static readonly byte[] Signature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    private PngImage(int width, int height, int[] pixels)
    {
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }

    public int Height { get; }

    public IReadOnlyList<int> Pixels { get; }

    public static PngImage Read(string path)
    {
        var data = File.ReadAllBytes(path);
        if (data.Length < Signature.Length || !data.AsSpan(0, Signature.Length).SequenceEqual(Signature))
            throw new InvalidDataException($"{path} is not a PNG");

        int width = 0, height = 0, channels = 0;
        using var compressed = new MemoryStream();
        for (var at = Signature.Length; at + 8 <= data.Length;)
        {
            var length = BinaryPrimitives.ReadInt32BigEndian(data.AsSpan(at));
            var type = System.Text.Encoding.ASCII.GetString(data, at + 4, 4);
            var body = data.AsSpan(at + 8, length);
            if (type == "IHDR")
            {
                width = BinaryPrimitives.ReadInt32BigEndian(body);
                height = BinaryPrimitives.ReadInt32BigEndian(body[4..]);
                var (bitDepth, colourType, interlace) = (body[8], body[9], body[12]);
                if (bitDepth != 8 || interlace != 0 || (colourType != 2 && colourType != 6))
                    throw new InvalidDataException($"unsupported PNG: depth {bitDepth}, colour type {colourType}, interlace {interlace}");
                channels = colourType == 6 ? 4 : 3;
            }
            else if (type == "IDAT")
            {
                compressed.Write(body);
            }
            else if (type == "IEND")
            {
                break;
            }

            at += 12 + length; // length, type, body, CRC
        }

        if (channels == 0)
            throw new InvalidDataException($"{path} has no IHDR chunk");
        compressed.Position = 0;
        using var inflater = new ZLibStream(compressed, CompressionMode.Decompress);
        var stride = width * channels;
        var raw = new byte[(stride + 1) * height];
        inflater.ReadExactly(raw);
        return new PngImage(width, height, Unfilter(raw, width, height, channels));
    }

    private static int[] Unfilter(byte[] raw, int width, int height, int channels)
    {
        var stride = width * channels;
        var previous = new byte[stride];
        var line = new byte[stride];
        var pixels = new int[width * height];
        for (var y = 0; y < height; y++)
        {
            var filter = raw[y * (stride + 1)];
            raw.AsSpan(y * (stride + 1) + 1, stride).CopyTo(line);
            for (var i = 0; i < stride; i++)
            {
                int left = i >= channels ? line[i - channels] : 0;
                int up = previous[i];
                int upLeft = i >= channels ? previous[i - channels] : 0;
                line[i] += filter switch
                {
                    0 => 0,
                    1 => (byte)left,
                    2 => (byte)up,
                    3 => (byte)((left + up) / 2),
                    4 => (byte)Paeth(left, up, upLeft),
                    _ => throw new InvalidDataException($"unknown PNG filter {filter} on row {y}"),
                };
            }

            for (var x = 0; x < width; x++)
            {
                var p = x * channels;
                pixels[y * width + x] = (line[p] << 16) | (line[p + 1] << 8) | line[p + 2];
            }

            (previous, line) = (line, previous);
        }

        return pixels;
    }

    private static int Paeth(int a, int b, int c)
    {
        var p = a + b - c;
        int pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
        return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    }
}
