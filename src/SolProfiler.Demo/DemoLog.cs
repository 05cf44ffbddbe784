using Microsoft.Extensions.Logging;

namespace SolProfiler.Demo;

/// <summary>The demo's log messages (source-generated). Event ids 9000-9099 belong to the demo.</summary>
internal static partial class DemoLog
{
    [LoggerMessage(EventId = 9000, Level = LogLevel.Information, Message = "Demo inference server (simulated vLLM, {Model} on {Tp} x {Gpu}) listening on {Url}")]
    public static partial void ServerStarted(ILogger logger, string model, int tp, string gpu, Uri url);

    [LoggerMessage(EventId = 9001, Level = LogLevel.Warning, Message = "Demo simulation wake-up failed; it goes on at the next one")]
    public static partial void WakeFailed(ILogger logger, Exception exception);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Demo GPUs: NVML stand-in {Path} driven as {Count} x {DeviceName}")]
    public static partial void StandInDriven(ILogger logger, string path, int count, string deviceName);

    [LoggerMessage(EventId = 9003, Level = LogLevel.Debug, Message = "Demo server rejected a request: {Reason}")]
    public static partial void RequestRejected(ILogger logger, string reason);
}
