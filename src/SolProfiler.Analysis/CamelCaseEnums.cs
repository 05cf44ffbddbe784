using System.Text.Json;
using System.Text.Json.Serialization;
using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Probe;
using SolProfiler.Telemetry.Serving;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Analysis;

/// <summary>
/// The enums the JSON outputs carry, each written as its camelCase name by its own generic converter: what the
/// reflection-based converter factory did, in a form Native AOT compiles (the factory makes its converters at run
/// time). An enum an output carries that is missing here is written as a number, which the golden files would show.
/// </summary>
public static class CamelCaseEnums
{
    public static IEnumerable<JsonConverter> Converters()
    {
        var camel = JsonNamingPolicy.CamelCase;
        return
        [
            new JsonStringEnumConverter<SolBound>(camel),
            new JsonStringEnumConverter<SolSchedule>(camel),
            new JsonStringEnumConverter<Precision>(camel),
            new JsonStringEnumConverter<MathPrecision>(camel),
            new JsonStringEnumConverter<AttentionKind>(camel),
            new JsonStringEnumConverter<CollectiveAlgorithm>(camel),
            new JsonStringEnumConverter<ProbeFailureKind>(camel),
            new JsonStringEnumConverter<TokenCountSource>(camel),
            new JsonStringEnumConverter<ProbeApi>(camel),
            new JsonStringEnumConverter<FetchFailureKind>(camel),
            new JsonStringEnumConverter<ServerKind>(camel),
            new JsonStringEnumConverter<MetricType>(camel),
            new JsonStringEnumConverter<ExpositionFormat>(camel),
            new JsonStringEnumConverter<ServerNoticeKind>(camel),
        ];
    }
}
