using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using SolProfiler.Analysis;
using SolProfiler.Agent.Export;
using SolProfiler.Agent.Http;
using SolProfiler.Agent.Recording;
using SolProfiler.Agent.Sources;
using SolProfiler.Shared;

namespace SolProfiler.Agent.Hosting;

/// <summary>
/// Assembles the agent: Kestrel on the configured URLs, the sampling and analysis loops as hosted services, the
/// OpenTelemetry meter with the Prometheus exporter on <c>/metrics</c>, and the JSON and status endpoints.
/// </summary>
public static class AgentHost
{
    public static WebApplication Build(AgentRuntime runtime, Action<ILoggingBuilder>? configureLogging = null)
    {
        ArgumentNullException.ThrowIfNull(runtime);
        var options = runtime.Options;
        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions { Args = [], ApplicationName = "solprof-agent", ContentRootPath = AppContext.BaseDirectory });

        // The agent's settings come from AgentConfiguration alone; no appsettings.json and no file watcher thread.
        builder.Configuration.Sources.Clear();
        builder.Configuration.AddInMemoryCollection();
        builder.WebHost.UseUrls(options.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries));
        builder.WebHost.ConfigureKestrel(k =>
        {
            // The agent answers small GETs; bound what a client may send.
            k.Limits.MaxRequestBodySize = 64 * 1024;
            k.Limits.MaxRequestHeadersTotalSize = 32 * 1024;
            // Prometheus holds one or two connections; a client that opens thousands, or trickles its headers, is cut off.
            k.Limits.MaxConcurrentConnections = 1024;
            k.Limits.RequestHeadersTimeout = TimeSpan.FromSeconds(10);
            k.AddServerHeader = false;
        });
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(c =>
        {
            c.SingleLine = true;
            c.TimestampFormat = "HH:mm:ss ";
        });
        builder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        builder.Logging.AddFilter("Microsoft.Hosting", LogLevel.Warning);

        // A failed start (port in use) is reported by solprof in one line; the host's own log would add a stack trace.
        builder.Logging.AddFilter("Microsoft.Extensions.Hosting.Internal.Host", LogLevel.Critical);
        builder.Logging.AddFilter("System.Net.Http", LogLevel.Warning);
        configureLogging?.Invoke(builder.Logging);

        var services = builder.Services;
        UnpinnedMemoryPoolFactory.Register(services);
        // Each stage gets what it needs, not the runtime: the sources' samplers exist only for configured sources,
        // the recorder only with a recording path.
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<SampleInbox>();
        services.AddSingleton<SnapshotStore>();
        services.AddSingleton<SolMetrics>();
        services.AddSingleton(runtime.Sol);
        services.AddSingleton(runtime.ServerFacts);
        services.AddSingleton(new SourceHealthSet(runtime.ServingHealth, runtime.GpuHealth));
        services.AddSingleton(new AnalysisSettings
        {
            Window = options.Window,
            Interval = options.SampleInterval,
            Context = options.Context,
            Gap = options.Gap,
            FrontierBatches = [.. options.FrontierBatches],
            Demo = options.Demo,
        });
        if (options.Record.Path is not null)
        {
            services.AddSingleton<ISnapshotSink>(sp => new SnapshotRecorder(options.Record, sp.GetRequiredService<ILogger<SnapshotRecorder>>()));
        }

        if (runtime.Serving is { } serving && runtime.ServingHealth is { } servingHealth)
        {
            services.AddSingleton(new ServingSampling(serving, servingHealth, options.Serving.Interval));
            services.AddHostedService<ServingSamplerService>();
            if (runtime.Http is { } http)
            {
                services.AddSingleton(new ServedModelLookup(serving.Options.Url, http, options.Serving.ApiKeyFile, options.Serving.Timeout, options.Serving.Interval));
                services.AddHostedService<ServedModelLookupService>();
            }
        }

        if (runtime.Gpu is { } gpu && runtime.GpuHealth is { } gpuHealth)
        {
            services.AddSingleton(new GpuSampling(gpu, gpuHealth, options.SampleInterval));
            services.AddHostedService<GpuSamplerService>();
        }

        services.AddHostedService<AnalysisService>();
        services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService("solprof-agent", serviceVersion: typeof(AgentHost).Assembly.GetName().Version?.ToString()))
            .WithMetrics(m => m
                .AddMeter(SolMetrics.MeterName)
                .AddMeter(RuntimeSeries.MeterName)
                .AddView(RuntimeSeries.Select)
                .AddPrometheusExporter(o =>
                {
                    // Every scrape sees the latest analysis; the exporter's 300 ms response cache would hide it.
                    o.ScrapeResponseCacheDurationMilliseconds = 0;
                    o.ScopeInfoEnabled = false;
                }));

        var app = builder.Build();

        // The meter provider listens first, then the instruments are created (and the error counters set to 0), so
        // the first scrape already has every series.
        _ = app.Services.GetRequiredService<MeterProvider>();
        _ = app.Services.GetRequiredService<SolMetrics>();
        // A scrape is a GET (HEAD for a check); the exporter's endpoint takes any method, so POST /metrics answered 200.
        app.MapPrometheusScrapingEndpoint("/metrics").WithMetadata(new Microsoft.AspNetCore.Routing.HttpMethodMetadata(["GET", "HEAD"]));
        app.MapAgentEndpoints();
        app.Lifetime.ApplicationStopped.Register(() => runtime.DisposeAsync().AsTask().GetAwaiter().GetResult());
        var logger = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("SolProfiler.Agent");
        var tp = options.Tp?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "auto";
        Log.Started(logger, runtime.Sol.ModelName, options.Gpu, tp, options.Pp, options.Ep,
            runtime.Serving?.Options.DisplayUrl ?? "none", runtime.Gpu?.Backend ?? "none", options.Window.TotalSeconds);
        return app;
    }
}
