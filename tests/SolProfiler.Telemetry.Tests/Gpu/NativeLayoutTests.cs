using System.Runtime.InteropServices;
using SolProfiler.Telemetry.Gpu;

namespace SolProfiler.Telemetry.Tests.Gpu;

public sealed class NativeLayoutTests
{
    [Fact]
    public void A_matching_layout_passes()
    {
        NativeLayout.Size<Probe>(16);
        NativeLayout.Offset<Probe>(nameof(Probe.Second), 8);
    }

    [Fact]
    public void A_wrong_size_names_the_struct_and_both_sizes()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => NativeLayout.Size<Probe>(12));
        Assert.Equal("Probe is 16 bytes; the C layout is 12.", ex.Message);
    }

    [Fact]
    public void A_size_that_differs_only_when_marshalled_says_so()
    {
        // bool is 1 byte in memory and a 4-byte BOOL for the marshaller.
        var ex = Assert.Throws<InvalidOperationException>(() => NativeLayout.Size<Flag>(1));
        Assert.Equal("Flag marshals as 4 bytes; the C layout is 1.", ex.Message);
    }

    [Fact]
    public void A_wrong_offset_names_the_struct_the_field_and_both_offsets()
    {
        var ex = Assert.Throws<InvalidOperationException>(() => NativeLayout.Offset<Probe>(nameof(Probe.Second), 4));
        Assert.Equal("Probe.Second is at offset 8; the C layout has it at 4.", ex.Message);
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Probe(int first, long second)
    {
        public int First = first;
        public long Second = second;
    }

    [StructLayout(LayoutKind.Sequential)]
    private struct Flag(bool value)
    {
        public bool Value = value;
    }
}
