namespace SolProfiler.Telemetry.Exposition;

/// <summary>The metric types of Prometheus text format 0.0.4 and OpenMetrics 1.0 (<c># TYPE</c>).</summary>
public enum MetricType
{
    /// <summary>No <c># TYPE</c> line was seen for the family.</summary>
    Unknown,
    Counter,
    Gauge,
    Histogram,
    GaugeHistogram,
    Summary,
    Info,
    StateSet,
    Untyped,
}

/// <summary>Which text format the body was written in.</summary>
public enum ExpositionFormat
{
    PrometheusText004,
    OpenMetrics100,
}
