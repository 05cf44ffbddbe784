using System.Text.Json;
using System.Text.Json.Serialization;

namespace SolProfiler.Telemetry.Probe;

/// <summary>
/// The JSON contract of <c>solprof probe --format json</c>: camelCase, times in seconds, enums as camelCase strings,
/// nulls for what was not measured. Carries where the key came from (variable name / file path) only as a yes/no.
/// </summary>
public static class ProbeJson
{
    public static JsonSerializerOptions SerializerOptions { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        WriteIndented = true,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    public static string Serialize(ProbeOptions options, ProbeRunSummary summary)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(summary);
        var report = new Report(
            Endpoint: options.RequestUri.ToString(),
            Model: options.Model,
            Api: options.Api,
            MaxTokens: options.MaxTokens,
            IgnoreEos: options.IgnoreEos,
            MinTokens: options.MinTokens,
            TimeoutSeconds: options.RequestTimeout.TotalSeconds,
            ApiKey: options.ApiKeyEnvironmentVariable is not null || options.ApiKeyFile is not null,
            Aggregate: summary.Aggregate,
            Requests: summary.Results.Select(RequestRow.From).ToArray());
        return JsonSerializer.Serialize(report, SerializerOptions);
    }

    private sealed record Report(
        string Endpoint,
        string Model,
        ProbeApi Api,
        int MaxTokens,
        bool IgnoreEos,
        int? MinTokens,
        double TimeoutSeconds,
        bool ApiKey,
        ProbeAggregate Aggregate,
        IReadOnlyList<RequestRow> Requests);

    private sealed record RequestRow(
        int Index,
        bool Success,
        ProbeFailureKind Failure,
        string? FailureReason,
        int? HttpStatus,
        double? TtftSeconds,
        double? TpotSeconds,
        double? MeanItlSeconds,
        double? EndToEndSeconds,
        double TotalSeconds,
        int OutputTokens,
        TokenCountSource OutputTokenSource,
        int ContentChunks,
        bool GapsPerToken,
        int? PromptTokens,
        string? FinishReason,
        double? OutputTokensPerSecond,
        IReadOnlyList<double> InterTokenGapsSeconds)
    {
        public static RequestRow From(ProbeResult r) => new(
            r.Index, r.Success, r.Failure, r.FailureReason, r.HttpStatus, r.TtftSeconds, r.TpotSeconds, r.MeanInterTokenGapSeconds,
            r.EndToEndSeconds, r.TotalSeconds, r.OutputTokens, r.OutputTokenSource, r.ContentChunks, r.GapsPerToken, r.PromptTokens,
            r.FinishReason, r.OutputTokensPerSecond, r.InterTokenGapsSeconds);
    }
}
