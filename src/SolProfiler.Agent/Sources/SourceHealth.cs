using System.Collections.Concurrent;
using SolProfiler.Analysis;

namespace SolProfiler.Agent.Sources;

/// <summary>
/// The health of one source (<c>gpu</c> or <c>serving</c>): up or down, the last error, and errors counted by a
/// bounded reason. Written by the source's sampling loop, read by the HTTP and metrics threads.
/// </summary>
public sealed class SourceHealth(string source, string backend, string? url)
{
    private readonly ConcurrentDictionary<string, long> _errors = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();
    private bool _up;
    private DateTimeOffset? _lastSuccess;
    private string? _lastError;
    private DateTimeOffset? _lastErrorAt;
    private int _consecutiveFailures;

    /// <summary>Raised on every error with its reason label, for the error counter.</summary>
    public event Action<string, string>? ErrorCounted;

    public string Source { get; } = source;

    public string Backend { get; private set; } = backend;

    public string? Url { get; } = url;

    public bool Up
    {
        get
        {
            lock (_lock)
            {
                return _up;
            }
        }
    }

    public string? LastError
    {
        get
        {
            lock (_lock)
            {
                return _lastError;
            }
        }
    }

    public int ConsecutiveFailures
    {
        get
        {
            lock (_lock)
            {
                return _consecutiveFailures;
            }
        }
    }

    public void Succeeded(DateTimeOffset at, string? backend = null)
    {
        lock (_lock)
        {
            _up = true;
            _lastSuccess = at;
            _consecutiveFailures = 0;
            if (backend is not null)
            {
                Backend = backend;
            }
        }
    }

    /// <summary>
    /// Counts an error. <paramref name="reason"/> must come from a fixed set: it becomes a label value. Returns true
    /// when the error is news (the first of an outage, or a new message), so callers log once per outage and reason.
    /// </summary>
    public bool Failed(DateTimeOffset at, string reason, string message, bool down = true)
    {
        bool news;
        lock (_lock)
        {
            news = _consecutiveFailures == 0 || _lastError != message;
            if (down)
            {
                _up = false;
                _consecutiveFailures++;
            }

            _lastError = message;
            _lastErrorAt = at;
        }

        _errors.AddOrUpdate(reason, 1, (_, n) => n + 1);
        ErrorCounted?.Invoke(Source, reason);
        return news;
    }

    public SourceStatus Status()
    {
        lock (_lock)
        {
            return new SourceStatus(Source, Backend, Url, _up, _lastSuccess, _lastError, _lastErrorAt, _consecutiveFailures,
                new SortedDictionary<string, long>(_errors, StringComparer.Ordinal));
        }
    }
}
