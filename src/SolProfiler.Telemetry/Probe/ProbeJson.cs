using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

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

        // One generic converter per enum the report carries: what Native AOT compiles (the factory works by reflection).
        Converters =
        {
            new JsonStringEnumConverter<ProbeApi>(JsonNamingPolicy.CamelCase),
            new JsonStringEnumConverter<ProbeFailureKind>(JsonNamingPolicy.CamelCase),
            new JsonStringEnumConverter<TokenCountSource>(JsonNamingPolicy.CamelCase),
        },
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        TypeInfoResolver = ProbeJsonContext.Default,
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
        return JsonSerializer.Serialize(report, (JsonTypeInfo<Report>)SerializerOptions.GetTypeInfo(typeof(Report)));
    }

    internal sealed record Report(
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

    internal sealed record RequestRow(
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

/// <summary>The probe report's source-generated metadata.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.CamelCase, NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals)]
[JsonSerializable(typeof(ProbeJson.Report))]
internal sealed partial class ProbeJsonContext : JsonSerializerContext;
