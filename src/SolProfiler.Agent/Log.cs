using Microsoft.Extensions.Logging;

namespace SolProfiler.Agent;

/// <summary>
/// The agent's log messages, source-generated. Event ids are never reused or repurposed. Messages carry URLs only in
/// their display form (no user-info, no query) and never an API key.
/// </summary>
internal static partial class Log
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "SolProfiler agent: model {Model}, GPU {Gpu}, TP {Tp} PP {Pp} EP {Ep}; serving {Serving}; GPU backend {Backend}; window {WindowSeconds} s")]
    public static partial void Started(ILogger logger, string model, string gpu, string tp, int pp, int ep, string serving, string backend, double windowSeconds);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Source} source down ({Reason}): {Message}; retrying in {DelaySeconds} s")]
    public static partial void SourceDown(ILogger logger, string source, string reason, string message, double delaySeconds);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "{Source} source is back after {Failures} failed reads")]
    public static partial void SourceRecovered(ILogger logger, string source, int failures);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "{Source} sampling loop failed unexpectedly; it keeps running")]
    public static partial void LoopFailed(ILogger logger, Exception exception, string source);

    [LoggerMessage(EventId = 5, Level = LogLevel.Warning, Message = "Efficiency above 1: {Message}")]
    public static partial void EfficiencyAboveOne(ILogger logger, string message);

    [LoggerMessage(EventId = 6, Level = LogLevel.Information, Message = "GPU detected: {DeviceName} is catalog GPU {Gpu}")]
    public static partial void GpuDetected(ILogger logger, string deviceName, string gpu);

    [LoggerMessage(EventId = 7, Level = LogLevel.Warning, Message = "GPU not known: {Message}")]
    public static partial void GpuUnknown(ILogger logger, string message);

    [LoggerMessage(EventId = 8, Level = LogLevel.Error, Message = "Recording to {Path} failed: {Message}; recording continues with the next window")]
    public static partial void RecordingFailed(ILogger logger, string path, string message);

    [LoggerMessage(EventId = 9, Level = LogLevel.Information, Message = "Window: efficiency {Efficiency:0.000}, measured step {MeasuredMs:0.000} ms, SOL {SolMs:0.000} ms, batch {Batch:0.0}, context {Context:0}")]
    public static partial void WindowAnalyzed(ILogger logger, double efficiency, double measuredMs, double solMs, double batch, double context);

    [LoggerMessage(EventId = 10, Level = LogLevel.Information, Message = "No valid measurement in the window: {Reason}")]
    public static partial void WindowInvalid(ILogger logger, string reason);

    [LoggerMessage(EventId = 11, Level = LogLevel.Error, Message = "Analysis loop failed unexpectedly; it keeps running")]
    public static partial void AnalysisFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 12, Level = LogLevel.Information, Message = "Demo: simulated inference server at {Url}, GPU stand-in {Library}")]
    public static partial void DemoStarted(ILogger logger, string url, string library);

    [LoggerMessage(EventId = 13, Level = LogLevel.Information, Message = "Model from the server: {Message}")]
    public static partial void ModelResolved(ILogger logger, string message);

    [LoggerMessage(EventId = 14, Level = LogLevel.Warning, Message = "Model not known: {Message}; the operating point is measured without the SOL")]
    public static partial void ModelUnresolved(ILogger logger, string message);

    [LoggerMessage(EventId = 15, Level = LogLevel.Information, Message = "From the server: {Message}")]
    public static partial void ServerSetting(ILogger logger, string message);

    [LoggerMessage(EventId = 16, Level = LogLevel.Warning, Message = "The server contradicts the configuration: {Message}")]
    public static partial void ServerContradiction(ILogger logger, string message);
}
