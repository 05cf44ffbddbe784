using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace SolProfiler.Agent.Tests.Integration;

/// <summary>
/// Every log line of an agent under test, in memory (level, category, message, exception), instead of on the test
/// run's console: the test log stays the tests' own, and a test that fails can show what the agent said.
/// </summary>
internal sealed class CapturedLogs : ILoggerProvider
{
    private readonly ConcurrentQueue<string> _lines = new();

    public IEnumerable<string> Lines => _lines;

    /// <summary>All lines, one per line, for a failure message.</summary>
    public string Text => string.Join('\n', _lines);

    public ILogger CreateLogger(string categoryName) => new Logger(_lines, categoryName);

    /// <summary>A line from outside a logger: the console of an agent in its own process.</summary>
    public void Add(string line) => _lines.Enqueue(line);

    public void Dispose()
    {
    }

    private sealed class Logger(ConcurrentQueue<string> lines, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)}{(exception is null ? "" : " " + exception)}");
    }
}
