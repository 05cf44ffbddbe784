using SolProfiler.Telemetry.IO;

namespace SolProfiler.Telemetry.Tests.Exposition;

/// <summary>An endless non-seekable stream of one repeated line, counting the bytes it handed out.</summary>
internal sealed class EndlessStream(byte[] line) : ForwardReadStream
{
    private long _position;

    public long BytesRead => _position;

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        for (var i = 0; i < buffer.Length; i++)
        {
            buffer[i] = line[(int)(_position++ % line.Length)];
        }

        return buffer.Length;
    }
}
