using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Columns;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Reports;
using BenchmarkDotNet.Running;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Benchmarks;

/// <summary>
/// Exposition parser throughput over a ~50 MB vLLM-like scrape (histograms with 26 buckets, labels model_name/engine/le).
/// Target for <see cref="Scan"/>: at least 200 MB/s on one core, allocations independent of the body size.
/// </summary>
[MemoryDiagnoser]
[Config(typeof(ThroughputConfig))]
public class ExpositionParserBenchmarks
{
    internal const int TargetBytes = 50 * 1000 * 1000;

    private static readonly string[] s_families =
    [
        "vllm:e2e_request_latency_seconds", "vllm:time_to_first_token_seconds", "vllm:inter_token_latency_seconds",
        "vllm:request_queue_time_seconds", "vllm:request_prefill_time_seconds", "vllm:request_decode_time_seconds",
        "vllm:request_inference_time_seconds", "vllm:request_time_per_output_token_seconds",
    ];

    private static readonly string[] s_bounds =
    [
        "0.001", "0.005", "0.01", "0.02", "0.04", "0.06", "0.08", "0.1", "0.25", "0.5", "0.75", "1.0", "2.5", "5.0",
        "7.5", "10.0", "20.0", "40.0", "80.0", "160.0", "640.0", "2560.0", "5000.0", "7500.0", "10000.0", "+Inf",
    ];

    private byte[] _body = [];
    private ExpositionLimits _limits = ExpositionLimits.Default;
    private readonly SumVisitor _visitor = new();

    internal static long BodyBytes { get; private set; }

    /// <summary>The generated body, once <see cref="Setup"/> ran (for <c>write-exposition</c>).</summary>
    internal byte[] Body => _body;

    [GlobalSetup]
    public void Setup()
    {
        // One family after another, each with its HELP and TYPE once, as the text format requires (promtool refuses
        // a family split in two): models are added to every family until the body reaches the target size.
        var families = s_families.Select(_ => new StringBuilder(TargetBytes / s_families.Length + 100_000)).ToArray();
        var series = 0;
        for (var model = 0; families.Sum(f => f.Length) < TargetBytes; model++)
        {
            for (var f = 0; f < s_families.Length; f++)
            {
                var family = s_families[f];
                var sb = families[f];
                for (var engine = 0; engine < 8; engine++)
                {
                    var labels = string.Create(CultureInfo.InvariantCulture, $"engine=\"{engine}\",model_name=\"org-{model % 7}/model-{model}-Instruct\"");
                    long cumulative = 0;
                    foreach (var le in s_bounds)
                    {
                        cumulative += (model * 31 + engine * 7 + le.Length) % 97;
                        sb.Append(family).Append("_bucket{").Append(labels).Append(",le=\"").Append(le).Append("\"} ")
                            .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append(".0\n");
                    }

                    sb.Append(family).Append("_sum{").Append(labels).Append("} ")
                        .Append((cumulative * 0.137).ToString("R", CultureInfo.InvariantCulture)).Append('\n');
                    sb.Append(family).Append("_count{").Append(labels).Append("} ")
                        .Append(cumulative.ToString(CultureInfo.InvariantCulture)).Append(".0\n");
                    sb.Append(family).Append("_created{").Append(labels).Append("} 1.7123456785e+09\n");
                    series += s_bounds.Length + 3;
                }
            }
        }

        var whole = new StringBuilder(TargetBytes + 1_000_000);
        for (var f = 0; f < s_families.Length; f++)
        {
            whole.Append("# HELP ").Append(s_families[f]).Append(" Histogram of ").Append(s_families[f]).Append('\n');
            whole.Append("# TYPE ").Append(s_families[f]).Append(" histogram\n");
            whole.Append(families[f]);
        }

        _body = Encoding.UTF8.GetBytes(whole.ToString());
        BodyBytes = _body.Length;
        _limits = new ExpositionLimits { MaxBytes = 256L * 1024 * 1024, MaxSeries = series + 1 };
        Console.WriteLine($"// exposition body: {_body.Length:N0} bytes, {series:N0} samples");
    }

    /// <summary>The visitor path: no document, spans only.</summary>
    [Benchmark]
    public double Scan()
    {
        _visitor.Sum = 0;
        ExpositionParser.Scan(new MemoryStream(_body, writable: false), _visitor, _limits);
        return _visitor.Sum;
    }

    /// <summary>The document path: families, interned strings, duplicate and +Inf checks.</summary>
    [Benchmark]
    public int Parse() => ExpositionParser.Parse(new MemoryStream(_body, writable: false), _limits).SeriesCount;

    private sealed class SumVisitor : IExpositionVisitor
    {
        public double Sum { get; set; }

        public void OnSample(in ExpositionSample sample) => Sum += sample.Value + sample.LabelCount;
    }

    private sealed class ThroughputConfig : ManualConfig
    {
        public ThroughputConfig() => AddColumn(new ThroughputColumn());
    }

    /// <summary>Body megabytes (10^6 bytes) per second of the mean time.</summary>
    private sealed class ThroughputColumn : IColumn
    {
        public string Id => nameof(ThroughputColumn);

        public string ColumnName => "MB/s";

        public bool AlwaysShow => true;

        public ColumnCategory Category => ColumnCategory.Custom;

        public int PriorityInCategory => 0;

        public bool IsNumeric => true;

        public UnitType UnitType => UnitType.Dimensionless;

        public string Legend => "Body megabytes (10^6 bytes) parsed per second, from the mean";

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase) => GetValue(summary, benchmarkCase, SummaryStyle.Default);

        public string GetValue(Summary summary, BenchmarkCase benchmarkCase, SummaryStyle style)
        {
            var report = summary[benchmarkCase];
            var meanNs = report?.ResultStatistics?.Mean;
            if (meanNs is null or <= 0)
            {
                return "-";
            }

            // The body is rebuilt deterministically, so its size is known here even though it was measured elsewhere.
            var bytes = BodyBytes > 0 ? BodyBytes : new ExpositionParserBenchmarks().SetupAndMeasure();
            return (bytes / (meanNs.Value / 1e9) / 1e6).ToString("N1", CultureInfo.InvariantCulture);
        }

        public bool IsAvailable(Summary summary) => true;

        public bool IsDefault(Summary summary, BenchmarkCase benchmarkCase) => false;
    }

    private long SetupAndMeasure()
    {
        Setup();
        return _body.Length;
    }
}
