using SolProfiler.Fuzz;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Tests.Exposition;

/// <summary>Seeded random expositions, written here and parsed back sample by sample; and seeded garbage.</summary>
public sealed class ExpositionPropertyTests
{
    private static readonly string[] s_interesting =
    [
        "{", "}", "\"", "\\", ",", "=", "#", " # ", "\n", "\r\n", "\r", " ", "\t", "# EOF\n", "# TYPE ", "# HELP ",
        "le=\"+Inf\"", "NaN", "+Inf", "-", "1e309", "\"}", "\\\"", "\u00e9", "\ud83d\ude80", "\0", "_bucket", "{\"a.b\"",
    ];

    [Fact]
    public void Random_well_formed_expositions_round_trip()
    {
        var rng = new Random(20240611);
        for (var n = 0; n < 400; n++)
        {
            var written = new RandomExpositionWriter(rng).Write();
            var bytes = Encoding.UTF8.GetBytes(written.Text);
            var doc = (n % 3) switch
            {
                0 => ExpositionParser.Parse(new MemoryStream(bytes)),
                1 => ExpositionParser.Parse(new ChunkedStream(bytes, [rng.Next(1, 300)])),
                _ => ExpositionParser.Parse(written.Text),
            };

            var context = $"case {n}:\n{written.Text}";
            Assert.True(doc.LineErrorCount == 0, $"{context}\nerrors: {string.Join("; ", doc.Errors)}");
            Assert.True(doc.Problems.Count == 0, $"{context}\nproblems: {string.Join("; ", doc.Problems)}");
            Assert.Equal(written.OpenMetrics ? ExpositionFormat.OpenMetrics100 : ExpositionFormat.PrometheusText004, doc.Format);
            Assert.Equal(written.Samples.Count, doc.SeriesCount);

            var cursor = new Dictionary<string, int>(StringComparer.Ordinal);
            foreach (var e in written.Samples)
            {
                cursor.TryGetValue(e.Name, out var i);
                cursor[e.Name] = i + 1;
                var actual = doc.Samples(e.Name);
                Assert.True(actual.Count > i, $"{context}\nmissing {e.Name} #{i}");
                var a = actual[i];
                Assert.Equal(e.Labels, a.Labels.ToArray());
                Assert.True(
                    e.Value.Equals(a.Value),
                    $"{context}\n{e.Name} #{i}: expected {e.Value.ToString("R", CultureInfo.InvariantCulture)}, got {a.Value.ToString("R", CultureInfo.InvariantCulture)}");
                Assert.Equal(e.TimestampSeconds, a.TimestampSeconds);
            }

            foreach (var (family, (type, count, help)) in written.Families)
            {
                Assert.True(doc.Families.TryGetValue(family, out var f), $"{context}\nmissing family {family}");
                Assert.Equal(type, f.Type);
                Assert.Equal(count, f.Samples.Count);
                Assert.Equal(help, f.Help);
            }
        }
    }

    [Fact]
    public void Random_garbage_never_throws_anything_but_too_large_and_never_hangs()
    {
        var rng = new Random(424242);
        var seeds = Enumerable.Range(0, 40).Select(_ => Encoding.UTF8.GetBytes(new RandomExpositionWriter(rng).Write().Text)).ToArray();
        var interesting = s_interesting.Select(Encoding.UTF8.GetBytes).ToArray();
        var slowest = TimeSpan.Zero;
        var visitor = new ExpositionErrorsAndLimitsTests.CountingVisitor();
        for (var n = 0; n < 3000; n++)
        {
            byte[] body;
            if (n % 4 == 0)
            {
                body = new byte[rng.Next(0, 400)];
                for (var i = 0; i < body.Length; i++)
                {
                    body[i] = rng.Next(3) == 0 ? (byte)rng.Next(256) : (byte)"a{}\"\\=, #\n\r1.+Ie_:"[rng.Next(18)];
                }
            }
            else
            {
                body = Mutate(rng, seeds[rng.Next(seeds.Length)], interesting);
            }

            var limits = new ExpositionLimits
            {
                MaxLineBytes = rng.Next(8, 512),
                MaxSeries = rng.Next(1, 400),
                MaxBytes = rng.Next(16, 8192),
                MaxErrorsKept = rng.Next(0, 5),
            };
            var contentType = rng.Next(3) == 0 ? "application/openmetrics-text; version=1.0.0" : null;
            var clock = Stopwatch.StartNew();
            try
            {
                var doc = (n % 3) switch
                {
                    0 => ExpositionParser.Parse(new MemoryStream(body), limits, contentType),
                    1 => ExpositionParser.Parse(new ChunkedStream(body, [rng.Next(1, 64)]), limits, contentType),
                    _ => ExpositionParser.Parse(Encoding.UTF8.GetString(body), limits, contentType),
                };
                Assert.True(doc.Errors.Count <= Math.Min(doc.LineErrorCount, limits.MaxErrorsKept));
                Assert.True(doc.SeriesCount <= limits.MaxSeries);
                ExpositionParser.Scan(new MemoryStream(body), visitor, limits, contentType);
            }
            catch (ExpositionTooLargeException)
            {
                // allowed
            }

            if (clock.Elapsed > slowest)
            {
                slowest = clock.Elapsed;
            }
        }

        Assert.True(slowest < TimeSpan.FromSeconds(1), $"slowest case took {slowest}");
    }

    private static byte[] Mutate(Random rng, byte[] seed, byte[][] interesting)
    {
        var body = new List<byte>(seed);
        var steps = rng.Next(1, 8);
        for (var s = 0; s < steps; s++)
        {
            var at = body.Count == 0 ? 0 : rng.Next(body.Count);
            switch (rng.Next(6))
            {
                case 0 when body.Count > 0:
                    body[at] = (byte)rng.Next(256);
                    break;
                case 1:
                    body.InsertRange(at, interesting[rng.Next(interesting.Length)]);
                    break;
                case 2 when body.Count > 0:
                    body.RemoveRange(at, Math.Min(body.Count - at, rng.Next(1, 20)));
                    break;
                case 3 when body.Count > 0:
                    var len = Math.Min(body.Count - at, rng.Next(1, 200));
                    body.InsertRange(rng.Next(body.Count), body.GetRange(at, len));
                    break;
                case 4:
                    body.RemoveRange(at, body.Count - at);
                    break;
                default:
                    body.InsertRange(at, Enumerable.Repeat((byte)rng.Next(32, 127), rng.Next(1, 600)));
                    break;
            }
        }

        return [.. body];
    }
}

/// <summary>Writes a random, well-formed exposition and records what a parser must read back.</summary>
internal sealed class RandomExpositionWriter(Random rng)
{
    private const string ValueAlphabet = "abcXYZ019 _-.,}{=#:/\\\"\n\u00e9\u6a21\u578b\ud83d\ude80";

    private static readonly MetricType[] s_openMetricsTypes =
    [
        MetricType.Counter, MetricType.Gauge, MetricType.Histogram, MetricType.GaugeHistogram, MetricType.Summary,
        MetricType.Info, MetricType.StateSet, MetricType.Unknown,
    ];

    private static readonly MetricType[] s_textTypes =
    [
        MetricType.Counter, MetricType.Gauge, MetricType.Histogram, MetricType.Summary, MetricType.Untyped, MetricType.Unknown,
    ];

    private static readonly string[] s_quantiles = ["0.5", "0.9", "0.99"];
    private static readonly string[] s_infinities = ["+Inf", "Inf", "+inf"];

    private readonly StringBuilder _text = new();
    private readonly bool _openMetrics = rng.Next(2) == 0;

    public sealed record ExpectedSample(string Name, Label[] Labels, double Value, double? TimestampSeconds);

    public sealed record Written(
        string Text,
        bool OpenMetrics,
        List<ExpectedSample> Samples,
        Dictionary<string, (MetricType Type, int Count, string? Help)> Families);

    private readonly List<ExpectedSample> _samples = [];
    private readonly Dictionary<string, (MetricType, int, string?)> _families = new(StringComparer.Ordinal);

    public Written Write()
    {
        var familyCount = rng.Next(1, 7);
        for (var k = 0; k < familyCount; k++)
        {
            WriteFamily(k);
        }

        if (_openMetrics)
        {
            _text.Append("# EOF");
            if (rng.Next(2) == 0)
            {
                Eol();
            }
        }

        return new Written(_text.ToString(), _openMetrics, _samples, _families);
    }

    private void Eol() => _text.Append(rng.Next(4) == 0 ? "\r\n" : "\n");

    private void WriteFamily(int k)
    {
        var types = _openMetrics ? s_openMetricsTypes : s_textTypes;
        var type = types[rng.Next(types.Length)];
        var declared = type != MetricType.Unknown || _openMetrics;
        var baseName = (rng.Next(3) == 0 ? "vllm:" : "") + "fam" + k + "_" + Word("abcdefghij") + "_x";
        var familyName = !_openMetrics && type == MetricType.Counter ? baseName + "_total" : baseName;
        var help = rng.Next(2) == 0 ? RandomText(12).Trim(' ') : null;
        // Both formats put TYPE before the family's samples (a TYPE after them is an error, tested on its own).
        WriteMetadata(familyName, type, help, declared);

        var before = _samples.Count;
        var seriesCount = rng.Next(1, 4);
        for (var s = 0; s < seriesCount; s++)
        {
            var labels = RandomLabels(s);
            switch (type)
            {
                case MetricType.Counter:
                    Sample(_openMetrics ? baseName + "_total" : familyName, labels, CounterValue());
                    if (_openMetrics && rng.Next(2) == 0)
                    {
                        Sample(baseName + "_created", labels, 1_700_000_000 + rng.Next(1000));
                    }

                    break;
                case MetricType.Histogram:
                case MetricType.GaugeHistogram:
                    WriteHistogram(baseName, labels, type == MetricType.GaugeHistogram);
                    break;
                case MetricType.Summary:
                    foreach (var q in s_quantiles)
                    {
                        Sample(baseName, [.. labels, new Label("quantile", q)], RandomValue());
                    }

                    Sample(baseName + "_sum", labels, RandomValue());
                    Sample(baseName + "_count", labels, rng.Next(1000));
                    break;
                case MetricType.Info:
                    Sample(baseName + "_info", labels, 1);
                    break;
                case MetricType.StateSet:
                    Sample(baseName, [.. labels, new Label("state", "a")], 1);
                    Sample(baseName, [.. labels, new Label("state", "b")], 0);
                    break;
                default:
                    Sample(familyName, labels, RandomValue());
                    break;
            }

            // The text format has comments and blank lines; OpenMetrics has neither.
            if (!_openMetrics && rng.Next(6) == 0)
            {
                _text.Append(rng.Next(2) == 0 ? "# a free comment" : "   ");
                Eol();
            }
        }

        if (declared)
        {
            _families[familyName] = (type, _samples.Count - before, help);
        }
    }

    private void WriteMetadata(string familyName, MetricType type, string? help, bool declared)
    {
        if (help is not null && (declared || rng.Next(2) == 0))
        {
            _text.Append("# HELP ").Append(familyName).Append(' ')
                .Append(help.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal));
            Eol();
        }

        if (declared)
        {
            _text.Append("# TYPE ").Append(familyName).Append(' ').Append(type switch
            {
                MetricType.Counter => "counter",
                MetricType.Gauge => "gauge",
                MetricType.Histogram => "histogram",
                MetricType.GaugeHistogram => "gaugehistogram",
                MetricType.Summary => "summary",
                MetricType.Info => "info",
                MetricType.StateSet => "stateset",
                MetricType.Untyped => "untyped",
                _ => "unknown",
            });
            Eol();
        }
    }

    private void WriteHistogram(string baseName, Label[] labels, bool gauge)
    {
        var bounds = Enumerable.Range(0, rng.Next(1, 6)).Select(_ => Math.Round(rng.NextDouble() * 10, 2)).Distinct().Order().ToList();
        var cumulative = 0;
        foreach (var b in bounds)
        {
            cumulative += rng.Next(5);
            var le = b == Math.Floor(b) && rng.Next(2) == 0 ? b.ToString("0.0", CultureInfo.InvariantCulture) : b.ToString("R", CultureInfo.InvariantCulture);
            Sample(baseName + "_bucket", [.. labels, new Label("le", le)], cumulative);
        }

        cumulative += rng.Next(5);
        Sample(baseName + "_bucket", [.. labels, new Label("le", "+Inf")], cumulative);
        Sample(baseName + (gauge ? "_gsum" : "_sum"), labels, RandomValue());
        Sample(baseName + (gauge ? "_gcount" : "_count"), labels, cumulative);
        if (_openMetrics && !gauge && rng.Next(3) == 0)
        {
            Sample(baseName + "_created", labels, 1_700_000_000.5);
        }
    }

    private Label[] RandomLabels(int series)
    {
        var labels = new List<Label> { new("series", series.ToString(CultureInfo.InvariantCulture)) };
        var extra = rng.Next(0, 4);
        for (var i = 0; i < extra; i++)
        {
            labels.Add(new Label("l" + i + "_" + Word("abcxyz_019"), RandomText(rng.Next(0, 10))));
        }

        // The series label goes anywhere in the set.
        var at = rng.Next(labels.Count);
        (labels[0], labels[at]) = (labels[at], labels[0]);
        return [.. labels];
    }

    private void Sample(string name, Label[] labels, double value)
    {
        _text.Append(name);
        if (labels.Length > 0 || rng.Next(4) == 0)
        {
            _text.Append('{');
            for (var i = 0; i < labels.Length; i++)
            {
                if (i > 0)
                {
                    _text.Append(rng.Next(5) == 0 ? ", " : ",");
                }

                _text.Append(labels[i].Name).Append("=\"");
                foreach (var c in labels[i].Value)
                {
                    _text.Append(c switch
                    {
                        '\\' => "\\\\",
                        '"' => "\\\"",
                        '\n' => "\\n",
                        _ => c.ToString(),
                    });
                }

                _text.Append('"');
            }

            if (labels.Length > 0 && rng.Next(6) == 0)
            {
                _text.Append(',');
            }

            _text.Append('}');
        }

        _text.Append(' ').Append(FormatValue(value));
        double? ts = null;
        if (rng.Next(4) == 0)
        {
            if (_openMetrics)
            {
                var seconds = 1_700_000_000 + rng.Next(100_000_000) + (rng.Next(1000) / 1000.0);
                _text.Append(' ').Append(seconds.ToString("R", CultureInfo.InvariantCulture));
                ts = seconds;
            }
            else
            {
                var ms = 1_700_000_000_000L + rng.NextInt64(100_000_000_000L);
                _text.Append(' ').Append(ms.ToString(CultureInfo.InvariantCulture));
                ts = ms / 1000.0;
            }
        }

        if (_openMetrics && name.EndsWith("_bucket", StringComparison.Ordinal) && rng.Next(3) == 0)
        {
            _text.Append(" # {trace_id=\"").Append(Word("0123456789abcdef")).Append("\"} ").Append(FormatValue(RandomValue()));
        }

        Eol();
        _samples.Add(new ExpectedSample(name, labels, value, ts));
    }

    private string FormatValue(double v)
    {
        if (double.IsNaN(v))
        {
            return rng.Next(2) == 0 ? "NaN" : "nan";
        }

        if (double.IsPositiveInfinity(v))
        {
            return s_infinities[rng.Next(3)];
        }

        if (double.IsNegativeInfinity(v))
        {
            return rng.Next(2) == 0 ? "-Inf" : "-inf";
        }

        return v.ToString(rng.Next(4) == 0 ? "E16" : "R", CultureInfo.InvariantCulture);
    }

    // A counter's total is never negative or NaN (OpenMetrics); +Inf is allowed.
    private double CounterValue()
    {
        var value = Math.Abs(RandomValue());
        return double.IsNaN(value) ? rng.Next(1000) : value;
    }

    private double RandomValue() => rng.Next(10) switch
    {
        0 => double.NaN,
        1 => double.PositiveInfinity,
        2 => double.NegativeInfinity,
        3 => rng.Next(-1000, 1000),
        4 => rng.NextDouble() * 1e-6,
        5 => Math.Round(rng.NextDouble() * 100, 3),
        6 => rng.NextInt64() * 1.0,
        _ => (rng.NextDouble() - 0.5) * Math.Pow(10, rng.Next(-20, 20)),
    };

    private string Word(string alphabet)
    {
        var n = rng.Next(1, 8);
        var sb = new StringBuilder();
        for (var i = 0; i < n; i++)
        {
            sb.Append(alphabet[rng.Next(alphabet.Length)]);
        }

        return sb.ToString();
    }

    private string RandomText(int length)
    {
        var sb = new StringBuilder();
        for (var i = 0; i < length; i++)
        {
            var c = ValueAlphabet[rng.Next(ValueAlphabet.Length)];
            if (char.IsSurrogate(c))
            {
                sb.Append("\ud83d\ude80");
            }
            else
            {
                sb.Append(c);
            }
        }

        return sb.ToString();
    }
}
