using SolProfiler.Telemetry.Gpu;

namespace SolProfiler.Telemetry.Tests.Gpu;

public class CounterRegressionGuardTests
{
    private static readonly DateTimeOffset T = new(2026, 11, 27, 0, 0, 0, TimeSpan.Zero);

    /// <summary>A source that replays the energy readings it is given, one per read.</summary>
    private sealed class Replay(params double[] energies) : IGpuSource
    {
        private int _next;

        public string Backend => "replay";

        public Task<GpuSnapshot> ReadAsync(CancellationToken cancellationToken = default) => Task.FromResult(new GpuSnapshot
        {
            Backend = Backend,
            Timestamp = T,
            Gpus = [new GpuSample { Index = 0, Uuid = "GPU-a", Timestamp = T, EnergyJoules = energies[_next++], PowerWatts = 300 }],
        });

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    [Fact]
    public async Task A_counter_going_backwards_is_reported_and_never_passed_on()
    {
        await using var guard = new CounterRegressionGuard(new Replay(1000, 1500, 20, 80));
        Assert.Equal(1000, (await guard.ReadAsync()).Gpus[0].EnergyJoules);
        Assert.Empty((await guard.ReadAsync()).Warnings);
        var reset = await guard.ReadAsync();
        Assert.Null(reset.Gpus[0].EnergyJoules);
        Assert.Equal(300, reset.Gpus[0].PowerWatts);
        Assert.Contains("energyJoules", reset.MissingFields);
        Assert.Contains(reset.Warnings, w => w.Contains("went backwards", StringComparison.Ordinal));
        var after = await guard.ReadAsync(); // counts again from the reset value
        Assert.Equal(80, after.Gpus[0].EnergyJoules);
        Assert.Empty(after.Warnings);
    }
}
