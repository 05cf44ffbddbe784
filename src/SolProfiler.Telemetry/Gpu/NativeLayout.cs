using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SolProfiler.Telemetry.Gpu;

/// <summary>
/// Checks a managed struct against the C layout it mirrors, for the native bindings' <c>Verify</c> at load: a struct
/// of the wrong size or with a field at the wrong offset would corrupt memory across the P/Invoke boundary, so the
/// binding refuses to load instead. Every mismatch throws an <see cref="InvalidOperationException"/> whose message
/// names the struct (and field) and gives the managed and the C number.
/// </summary>
internal static class NativeLayout
{
    /// <summary>Throws unless <typeparamref name="T"/> is <paramref name="expected"/> bytes, in memory and marshalled.</summary>
    public static void Size<T>(int expected)
        where T : unmanaged
    {
        // Both: Unsafe.SizeOf is what a span or pointer over T strides by, Marshal.SizeOf what the marshaller copies.
        var size = Unsafe.SizeOf<T>();
        if (size != expected)
        {
            throw new InvalidOperationException($"{typeof(T).Name} is {size} bytes; the C layout is {expected}.");
        }

        var marshalled = Marshal.SizeOf<T>();
        if (marshalled != expected)
        {
            throw new InvalidOperationException($"{typeof(T).Name} marshals as {marshalled} bytes; the C layout is {expected}.");
        }
    }

    /// <summary>Throws unless <paramref name="field"/> of <typeparamref name="T"/> starts <paramref name="expected"/> bytes in.</summary>
    public static void Offset<T>(string field, int expected)
        where T : unmanaged
    {
        var offset = Marshal.OffsetOf<T>(field);
        if (offset != expected)
        {
            throw new InvalidOperationException($"{typeof(T).Name}.{field} is at offset {offset}; the C layout has it at {expected}.");
        }
    }
}
