using System.Buffers;
using Microsoft.AspNetCore.Connections;
using Microsoft.Extensions.DependencyInjection;

namespace SolProfiler.Shared;

/// <summary>
/// Gives Kestrel ordinary pooled arrays (<see cref="MemoryPool{T}.Shared"/>) for its I/O buffers instead of its
/// pinned block pool. One source file compiled into both Kestrel hosts (the agent and the demo server), as
/// opentelemetry-dotnet shares code through src/Shared.
/// </summary>
/// <remarks>
/// Since .NET 10 the pinned pool evicts idle 4 KiB blocks every 10 s and allocates new ones for the next request.
/// The evicted blocks are garbage on the pinned-object heap, which only a gen-2 collection frees, and an agent that
/// allocates about 0.4 MB/s goes hours between gen-2 collections: in the soak the pinned heap grew by 0.2 MB every
/// 5 minutes for this alone, a steady slope in resident memory. Ordinary arrays die young in gen 0. What it costs,
/// pinning a buffer for each socket operation, does not show at a few requests a second.
/// </remarks>
internal sealed class UnpinnedMemoryPoolFactory : IMemoryPoolFactory<byte>
{
    /// <summary>Makes the Kestrel of this service collection use ordinary arrays (the agent's and the demo server's).</summary>
    public static void Register(IServiceCollection services) => services.AddSingleton<IMemoryPoolFactory<byte>, UnpinnedMemoryPoolFactory>();

    // The shared pool's Dispose does nothing, so Kestrel disposing what it was given on shutdown is harmless.
    public MemoryPool<byte> Create(MemoryPoolOptions? options = null) => MemoryPool<byte>.Shared;
}
