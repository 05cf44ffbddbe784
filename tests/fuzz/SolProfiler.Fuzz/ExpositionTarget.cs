using System.Globalization;
using System.Text;
using System.Text.Unicode;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Fuzz;

/// <summary>
/// The exposition parser on one untrusted body, through every public entry point: <c>Parse(Stream)</c> seekable with the
/// default limits (the scraper's path), non-seekable with small per-input limits read whole and in odd chunks (the
/// results must be identical), <c>Scan</c> with a visitor that checks each callback, and <c>Parse(string)</c> (same
/// document as the bytes when they are valid UTF-8).
/// Expected outcomes: a document (malformed lines counted, not thrown) or <see cref="ExpositionTooLargeException"/>
/// past a limit. Anything else, or a broken invariant, throws (a crash for the fuzzer).
/// </summary>
internal static class ExpositionTarget
{
    private const string OpenMetricsType = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private const string Refused = "refused";

    public static void Run(byte[] input)
    {
        ArgumentNullException.ThrowIfNull(input);
        var salt = FuzzInvariantException.Salt(input);
        var lines = FuzzInvariantException.CountNewlines(input) + 1;

        var byDefault = Outcome(() => ExpositionParser.Parse(new MemoryStream(input, writable: false)), ExpositionLimits.Default, null, input.Length, lines);

        var limits = new ExpositionLimits
        {
            MaxLineBytes = 1 + (int)(salt % 300),
            MaxSeries = (int)((salt >> 9) % 80),
            MaxErrorsKept = (int)((salt >> 16) % 4),
            MaxBytes = (salt >> 18) % 4 == 0 ? Math.Max(1, input.Length - (int)((salt >> 20) % 8)) : 1 << 20,
        };
        var contentType = (salt >> 24) % 2 == 0 ? OpenMetricsType : null;
        var whole = Outcome(() => ExpositionParser.Parse(new ChunkedStream(input, []), limits, contentType), limits, contentType, input.Length, lines);
        var chunked = Outcome(
            () => ExpositionParser.Parse(new ChunkedStream(input, ChunkedStream.Pattern(salt)), limits, contentType), limits, contentType, input.Length, lines);
        Same(whole, chunked, "a non-seekable body read in chunks gave another result than the same body read whole");

        ScanWithVisitor(input, limits, contentType, salt, lines, whole);

        if (Utf8.IsValid(input))
        {
            var text = Encoding.UTF8.GetString(input);
            var fromString = Outcome(() => ExpositionParser.Parse(text), ExpositionLimits.Default, null, input.Length, lines);
            Same(byDefault, fromString, "Parse(string) gave another result than Parse(Stream) for the same UTF-8 body");
        }
    }

    private static void Same(string a, string b, string what)
    {
        if (!string.Equals(a, b, StringComparison.Ordinal))
        {
            var at = 0;
            while (at < a.Length && at < b.Length && a[at] == b[at])
            {
                at++;
            }

            var from = Math.Max(0, at - 60);
            throw new FuzzInvariantException(string.Create(
                CultureInfo.InvariantCulture,
                $"{what}; first difference at {at}: «{a[from..Math.Min(a.Length, at + 60)]}» vs «{b[from..Math.Min(b.Length, at + 60)]}»"));
        }
    }

    /// <summary>Parses, checks the document's invariants and returns a fingerprint of it (or of the refusal).</summary>
    private static string Outcome(Func<ExpositionDocument> parse, ExpositionLimits limits, string? contentType, int inputLength, int lines)
    {
        ExpositionDocument doc;
        try
        {
            doc = parse();
        }
        catch (ExpositionTooLargeException e)
        {
            var bytes = e.Message.Contains("(MaxBytes;", StringComparison.Ordinal);
            var series = e.Message.Contains("(MaxSeries;", StringComparison.Ordinal);
            FuzzInvariantException.Check(bytes != series, "refusal names neither or both limits: " + e.Message);
            FuzzInvariantException.Check(!bytes || inputLength > limits.MaxBytes, "refused for MaxBytes under the limit: " + e.Message);
            // Which limit is met first when both are passed depends on the read sizes (a whole body is over MaxBytes
            // before its lines are read); that the body is refused does not.
            return Refused;
        }

        FuzzInvariantException.Check(inputLength <= limits.MaxBytes, "a body over MaxBytes was not refused");
        Check(doc, limits, contentType, inputLength, lines);
        return Fingerprint(doc);
    }

    private static void Check(ExpositionDocument doc, ExpositionLimits limits, string? contentType, int inputLength, int lines)
    {
        FuzzInvariantException.Check(doc.Bytes == inputLength, $"document says {doc.Bytes} bytes, body has {inputLength}");
        FuzzInvariantException.Check(doc.SeriesCount <= limits.MaxSeries, $"{doc.SeriesCount} series over MaxSeries {limits.MaxSeries}");
        FuzzInvariantException.Check(contentType is null || doc.Format == ExpositionFormat.OpenMetrics100, "OpenMetrics content type but another format");
        FuzzInvariantException.Check(doc.Errors.Count <= limits.MaxErrorsKept, $"{doc.Errors.Count} errors kept, MaxErrorsKept {limits.MaxErrorsKept}");
        FuzzInvariantException.Check(doc.LineErrorCount >= doc.Errors.Count, "fewer errors counted than kept");
        FuzzInvariantException.Check(doc.Problems.Count <= (2 * limits.MaxErrorsKept) + 3, $"{doc.Problems.Count} problems kept, MaxErrorsKept {limits.MaxErrorsKept}");
        foreach (var error in doc.Errors.Concat(doc.Problems))
        {
            FuzzInvariantException.Check(error.LineNumber >= 0 && error.LineNumber <= lines, $"error at line {error.LineNumber} of {lines}");
            FuzzInvariantException.Check(!string.IsNullOrEmpty(error.Message), "empty error message");
        }

        var total = 0;
        var names = new HashSet<string>(StringComparer.Ordinal);
        var bySampleName = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var (key, family) in doc.Families)
        {
            FuzzInvariantException.Check(key.Length > 0 && string.Equals(key, family.Name, StringComparison.Ordinal), $"family key «{key}» vs name «{family.Name}»");
            foreach (var sample in family.Samples)
            {
                total++;
                FuzzInvariantException.Check(sample.Name.Length > 0, "series with an empty name");
                bySampleName[sample.Name] = bySampleName.GetValueOrDefault(sample.Name) + 1;
                FuzzInvariantException.Check(sample.TimestampSeconds is not { } t || double.IsFinite(t), "non-finite timestamp");
                names.Clear();
                foreach (var label in sample.Labels)
                {
                    FuzzInvariantException.Check(names.Add(label.Name), $"label {label.Name} twice in one series of {sample.Name}");
                }
            }
        }

        FuzzInvariantException.Check(total == doc.SeriesCount, $"SeriesCount {doc.SeriesCount} but {total} samples in the families");
        foreach (var (name, count) in bySampleName)
        {
            FuzzInvariantException.Check(doc.Samples(name).Count == count, $"{count} samples named {name} in the families, {doc.Samples(name).Count} found by the name");
        }

        FuzzInvariantException.Check(doc.SampleNames.Count() == bySampleName.Count, "sample names without samples");
    }

    private static string Fingerprint(ExpositionDocument doc)
    {
        var sb = new StringBuilder();
        var c = CultureInfo.InvariantCulture;
        sb.Append(c, $"{doc.Format} bytes={doc.Bytes} series={doc.SeriesCount} errors={doc.LineErrorCount}\n");
        foreach (var e in doc.Errors)
        {
            // The excerpt after ": " is "the start of the offending line, possibly cut": for a line over MaxLineBytes it
            // is what had arrived when the limit was passed, so it depends on the read sizes. The rest must not.
            var cut = e.Message.IndexOf(": ", StringComparison.Ordinal);
            sb.Append(c, $"E {e.LineNumber} {(cut < 0 ? e.Message : e.Message[..cut])}\n");
        }

        foreach (var p in doc.Problems)
        {
            sb.Append("P ").Append(p).Append('\n');
        }

        foreach (var key in doc.Families.Keys.Order(StringComparer.Ordinal))
        {
            var f = doc.Families[key];
            sb.Append(c, $"F {f.Name} {f.Type} help={f.Help} unit={f.Unit}\n");
            foreach (var s in f.Samples)
            {
                sb.Append("  ").Append(s.Name).Append('{');
                foreach (var l in s.Labels)
                {
                    sb.Append(l.Name).Append('=').Append(l.Value).Append(',');
                }

                sb.Append(c, $"}} {BitConverter.DoubleToInt64Bits(s.Value):x} {(s.TimestampSeconds is { } t ? BitConverter.DoubleToInt64Bits(t).ToString("x", c) : "-")}\n");
            }
        }

        return sb.ToString();
    }

    private static void ScanWithVisitor(byte[] input, ExpositionLimits limits, string? contentType, uint salt, int lines, string parsed)
    {
        var visitor = new CheckingVisitor(limits);
        ExpositionScanResult result;
        try
        {
            result = ExpositionParser.Scan(new ChunkedStream(input, ChunkedStream.Pattern(salt ^ 0x9E3779B9u)), visitor, limits, contentType);
        }
        catch (ExpositionTooLargeException e)
        {
            // Scan refuses what Parse refused (same limits and format): the builder adds no refusal of its own.
            FuzzInvariantException.Check(parsed == Refused, "Scan refused a body that Parse accepted: " + e.Message);
            return;
        }

        FuzzInvariantException.Check(parsed != Refused, "Parse refused a body that Scan accepted");
        FuzzInvariantException.Check(result.Bytes == input.Length, $"scan read {result.Bytes} of {input.Length} bytes");
        FuzzInvariantException.Check(result.Samples == visitor.Samples, $"scan says {result.Samples} samples, visitor got {visitor.Samples}");
        FuzzInvariantException.Check(result.LineErrors == visitor.LineErrors, $"scan says {result.LineErrors} line errors, visitor got {visitor.LineErrors}");
        FuzzInvariantException.Check(result.Samples <= limits.MaxSeries, "more samples than MaxSeries");
        FuzzInvariantException.Check(result.Lines <= lines && visitor.LastLine <= result.Lines, $"lines: input {lines}, scan {result.Lines}, last callback {visitor.LastLine}");
        FuzzInvariantException.Check(contentType is null || result.Format == ExpositionFormat.OpenMetrics100, "OpenMetrics content type but another format");
    }

    /// <summary>Checks every callback of a scan: names never empty, spans readable, line numbers in order, labels unique.</summary>
    private sealed class CheckingVisitor(ExpositionLimits limits) : IExpositionVisitor
    {
        private readonly HashSet<string> _labelNames = new(StringComparer.Ordinal);

        public long Samples { get; private set; }

        public int LineErrors { get; private set; }

        public int LastLine { get; private set; }

        public void OnSample(in ExpositionSample sample)
        {
            Samples++;
            Line(sample.LineNumber);
            FuzzInvariantException.Check(!sample.Name.IsEmpty, "sample with an empty name");
            FuzzInvariantException.Check(sample.Name.Length <= limits.MaxLineBytes, "sample name longer than the line limit");
            FuzzInvariantException.Check(Utf8.IsValid(sample.Name), "sample name is not UTF-8");
            FuzzInvariantException.Check(sample.TimestampSeconds is not { } t || double.IsFinite(t), "non-finite timestamp");
            _labelNames.Clear();
            for (var i = 0; i < sample.LabelCount; i++)
            {
                var name = sample.LabelName(i);
                var value = sample.LabelValue(i);
                FuzzInvariantException.Check(Utf8.IsValid(name) && Utf8.IsValid(value), "label is not UTF-8");
                FuzzInvariantException.Check(_labelNames.Add(Encoding.UTF8.GetString(name)), "duplicate label name delivered");
                FuzzInvariantException.Check(sample.TryGetLabelValue(name, out var found) && found.SequenceEqual(value), "TryGetLabelValue disagrees with LabelValue");
            }
        }

        public void OnType(ReadOnlySpan<byte> metricName, MetricType type, int lineNumber)
        {
            Line(lineNumber);
            FuzzInvariantException.Check(!metricName.IsEmpty && Enum.IsDefined(type), "# TYPE with an empty name or unknown type");
        }

        public void OnHelp(ReadOnlySpan<byte> metricName, ReadOnlySpan<byte> text, int lineNumber)
        {
            Line(lineNumber);
            FuzzInvariantException.Check(!metricName.IsEmpty && text.Length <= limits.MaxLineBytes, "# HELP with an empty name or text over the line limit");
        }

        public void OnUnit(ReadOnlySpan<byte> metricName, ReadOnlySpan<byte> unit, int lineNumber)
        {
            Line(lineNumber);
            FuzzInvariantException.Check(!metricName.IsEmpty, "# UNIT with an empty name");
        }

        public void OnLineError(int lineNumber, string message, ReadOnlySpan<byte> lineText)
        {
            LineErrors++;
            FuzzInvariantException.Check(lineNumber >= 1 && lineNumber >= LastLine, $"line error at line {lineNumber} after line {LastLine}");
            LastLine = lineNumber;
            FuzzInvariantException.Check(!string.IsNullOrEmpty(message) && lineText.Length <= 120, "line error without a message or with a long excerpt");
        }

        private void Line(int lineNumber)
        {
            FuzzInvariantException.Check(lineNumber >= 1 && lineNumber >= LastLine, $"callback for line {lineNumber} after line {LastLine}");
            LastLine = lineNumber;
        }
    }
}
