using SolProfiler.Agent.Sources;
using SolProfiler.Telemetry.Gpu;

namespace SolProfiler.Agent.Tests.Sources;

public sealed class SampleInboxTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 0, 0, 0, TimeSpan.Zero);

    private static GpuSnapshot Read(int second, bool down = false) =>
        new() { Backend = "test", Timestamp = T0.AddSeconds(second), Gpus = [], DownReason = down ? "lost" : null };

    [Fact]
    public void A_stalled_reader_loses_the_oldest_reads_not_memory_and_keeps_the_order()
    {
        var inbox = new SampleInbox();
        for (var s = 0; s < 10_005; s++)
        {
            inbox.Add(Read(s));
        }

        var drained = inbox.DrainGpu().ToArray();

        Assert.Equal(10_000, drained.Length);
        Assert.Equal(T0.AddSeconds(5), drained[0].Timestamp);
        Assert.Equal(T0.AddSeconds(10_004), drained[^1].Timestamp);
        Assert.Empty(inbox.DrainGpu());
    }

    [Fact]
    public void The_latest_gpu_read_is_the_last_good_one_and_is_forgotten_on_request()
    {
        var inbox = new SampleInbox();
        inbox.Add(Read(1));
        inbox.Add(Read(2, down: true));

        Assert.Equal(T0.AddSeconds(1), inbox.LatestGpu!.Timestamp);
        Assert.Equal(2, inbox.DrainGpu().Count());
        inbox.ClearLatestGpu();
        Assert.Null(inbox.LatestGpu);
    }
}
