using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace SolProfiler.Demo;

/// <summary>
/// A simulated vLLM (V1 engine, 0.11+ metric names) on 127.0.0.1: <c>/metrics</c> in Prometheus text format and the
/// OpenAI-compatible API under <c>/v1</c>, driven by <see cref="DecodeSimulation"/> in real time. The simulation
/// wakes every <see cref="WakeInterval"/> to run the steps that ended since (cheap: a few steps per wake-up), and at
/// each step end while an API request is decoding, so its tokens leave on time.
/// </summary>
public sealed class SimulatedInferenceServer : IAsyncDisposable
{
    /// <summary>Longest sleep of the simulation loop.</summary>
    public static readonly TimeSpan WakeInterval = TimeSpan.FromMilliseconds(75);

    private readonly Lock _sync = new();
    private readonly DemoWorkload _workload;
    private readonly DecodeSimulation _simulation;
    private readonly TimeProvider _time;
    private readonly long _origin;
    private readonly Action<GpuActivity>? _onActivity;
    private readonly SemaphoreSlim _wake = new(0, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly ILogger _logger;
    private WebApplication? _app;
    private Task? _loop;
    private int _disposed;

    private SimulatedInferenceServer(DemoWorkload workload, ILogger logger, Action<GpuActivity>? onActivity, TimeProvider time)
    {
        _workload = workload;
        _logger = logger;
        _onActivity = onActivity;
        _time = time;
        _origin = time.GetTimestamp();
        _simulation = new DecodeSimulation(workload, 0);
        ModelName = workload.Options.Model;
        CreatedUnixSeconds = time.GetUtcNow().ToUnixTimeSeconds();
    }

    public DemoOptions Options => _workload.Options;

    public DemoWorkload Workload => _workload;

    /// <summary>The served model name (<c>model_name</c> label, <c>/v1/models</c> id).</summary>
    public string ModelName { get; }

    public long CreatedUnixSeconds { get; }

    /// <summary>http://127.0.0.1:PORT/ once started.</summary>
    public Uri BaseAddress { get; private set; } = new("http://127.0.0.1/");

    public Uri MetricsUrl => new(BaseAddress, "metrics");

    public Uri ApiBaseUrl => new(BaseAddress, "v1");

    /// <summary>The step running now (or the last one while idle): the truth to compare the agent's findings with.</summary>
    public DemoStep Current
    {
        get
        {
            lock (_sync)
            {
                _simulation.AdvanceTo(Now());
                return _simulation.Current;
            }
        }
    }

    /// <summary>What the engine ran since start, summed over its steps: subtract two readings for the truth of a window.</summary>
    public DemoTruth Truth
    {
        get
        {
            lock (_sync)
            {
                _simulation.AdvanceTo(Now());
                return _simulation.Truth;
            }
        }
    }

    /// <summary>
    /// Starts Kestrel on 127.0.0.1 (<see cref="DemoOptions.Port"/>, 0 = a free port) and the simulation loop.
    /// <paramref name="onActivity"/> is called at each wake-up with the GPU activity averaged since the previous one.
    /// </summary>
    public static async Task<SimulatedInferenceServer> StartAsync(
        DemoOptions options, ILoggerFactory loggerFactory, Action<GpuActivity>? onActivity = null, TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(loggerFactory);
        var workload = new DemoWorkload(options);
        var server = new SimulatedInferenceServer(workload, loggerFactory.CreateLogger<SimulatedInferenceServer>(), onActivity, time ?? TimeProvider.System);
        try
        {
            await server.StartHttpAsync(loggerFactory, cancellationToken);
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        server._loop = Task.Run(() => server.RunAsync(server._stop.Token), CancellationToken.None);
        DemoLog.ServerStarted(server._logger, workload.Model.Id, options.Tp, workload.Gpu.Id, server.BaseAddress);
        return server;
    }

    /// <summary>
    /// Stops as a killed server does: the simulation stops, every stream still open ends at once (its client sees the
    /// stream break, not a 30 s wait for the host's graceful shutdown), then Kestrel stops. Safe to call twice.
    /// </summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        await _stop.CancelAsync();
        if (_loop is not null)
        {
            await _loop;
        }

        lock (_sync)
        {
            _simulation.CloseAll();
        }

        if (_app is not null)
        {
            using var brief = new CancellationTokenSource(TimeSpan.FromSeconds(1));
            await _app.StopAsync(brief.Token);
            await _app.DisposeAsync();
        }

        _stop.Dispose();
        _wake.Dispose();
    }

    internal ExternalRequest Submit(int promptTokens, int maxTokens)
    {
        lock (_sync)
        {
            var now = Now();
            _simulation.AdvanceTo(now); // first catch up, so the request does not join a step that started before it arrived
            var request = new ExternalRequest(promptTokens, maxTokens, now);
            _simulation.Submit(request, now);
            WakeLoop();
            return request;
        }
    }

    internal void Abort(ExternalRequest request)
    {
        lock (_sync)
        {
            _simulation.Abort(request);
        }
    }

    private async Task StartHttpAsync(ILoggerFactory loggerFactory, CancellationToken cancellationToken)
    {
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton(loggerFactory);
        SolProfiler.Shared.UnpinnedMemoryPoolFactory.Register(builder.Services);
        builder.WebHost.UseUrls($"http://127.0.0.1:{Options.Port}");
        var app = builder.Build();
        app.MapGet("/metrics", (HttpContext context) =>
        {
            string text;
            lock (_sync)
            {
                _simulation.AdvanceTo(Now());
                text = VllmMetricsWriter.Write(_simulation, _workload, ModelName);
            }

            return Results.Text(text, VllmMetricsWriter.ContentType);
        });
        app.MapGet("/health", () => Results.Ok());
        OpenAiEndpoints.Map(app, this, _logger);
        _app = app;
        await app.StartAsync(cancellationToken);
        var bound = app.Urls.First();
        BaseAddress = new Uri(bound.EndsWith('/') ? bound : bound + "/");
    }

    private async Task RunAsync(CancellationToken ct)
    {
        while (!ct.IsCancellationRequested)
        {
            var sleep = WakeInterval;
            GpuActivity? activity = null;
            try
            {
                lock (_sync)
                {
                    var now = Now();
                    _simulation.AdvanceTo(now);
                    activity = _simulation.TakeActivity(now);
                    if (_simulation.HasExternal && _simulation.NextStepEnd is { } end)
                    {
                        sleep = TimeSpan.FromSeconds(Math.Clamp(end - now, 0.0005, WakeInterval.TotalSeconds));
                    }
                }

                if (activity is { } a)
                {
                    _onActivity?.Invoke(a);
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                DemoLog.WakeFailed(_logger, e);
            }

            try
            {
                await _wake.WaitAsync(sleep, ct);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    private void WakeLoop()
    {
        if (_wake.CurrentCount == 0)
        {
            try
            {
                _wake.Release();
            }
            catch (SemaphoreFullException)
            {
                // Already signalled by a concurrent submit: one wake-up serves both.
            }
        }
    }

    private double Now() => _time.GetElapsedTime(_origin).TotalSeconds;
}
