using SolProfiler.Agent.Sources;

namespace SolProfiler.Agent.Tests.Sources;

public sealed class BackoffTests
{
    [Theory]
    [InlineData(0, 1000)]
    [InlineData(1, 1000)]
    [InlineData(2, 2000)]
    [InlineData(3, 4000)]
    [InlineData(4, 8000)]
    [InlineData(5, 15000)]
    [InlineData(500, 15000)]
    public void Doubles_per_failure_up_to_the_cap(int failures, int expectedMs)
    {
        Assert.Equal(TimeSpan.FromMilliseconds(expectedMs), Backoff.Delay(TimeSpan.FromSeconds(1), failures, TimeSpan.FromSeconds(15)));
    }

    [Fact]
    public void Never_shorter_than_the_interval_even_when_the_cap_is()
    {
        Assert.Equal(TimeSpan.FromSeconds(20), Backoff.Delay(TimeSpan.FromSeconds(20), 3, TimeSpan.FromSeconds(15)));
    }
}
