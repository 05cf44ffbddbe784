using System.Text.Json;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Tests.Exposition;

/// <summary>
/// The parser against conformance cases written from the two specs, one rule each
/// (Fixtures/conformance/exposition-cases.json): the verdict (valid, a line error on that line, a document problem)
/// and the samples that must still be read, with their values.
/// </summary>
public sealed class ExpositionConformanceTests
{
    private static readonly string CasesPath = Path.Combine(AppContext.BaseDirectory, "Fixtures", "conformance", "exposition-cases.json");

    private static readonly Dictionary<string, string> ContentTypes = new(StringComparer.Ordinal)
    {
        ["text"] = "text/plain; version=0.0.4; charset=utf-8",
        ["openmetrics"] = "application/openmetrics-text; version=1.0.0; charset=utf-8",
    };

    private static JsonElement[] Cases()
    {
        using var doc = JsonDocument.Parse(File.ReadAllText(CasesPath));
        return doc.RootElement.GetProperty("cases").EnumerateArray().Select(c => c.Clone()).ToArray();
    }

    public static TheoryData<string> CaseNames()
    {
        var data = new TheoryData<string>();
        foreach (var c in Cases())
        {
            data.Add(c.GetProperty("name").GetString()!);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CaseNames))]
    public void Each_case_gets_its_verdict_and_keeps_its_valid_samples(string name)
    {
        var c = Cases().Single(x => x.GetProperty("name").GetString() == name);
        var rule = c.GetProperty("rule").GetString();
        var doc = ExpositionParser.Parse(c.GetProperty("body").GetString()!, contentType: ContentTypes[c.GetProperty("format").GetString()!]);
        var found = $"rule: {rule}; line errors: [{string.Join("; ", doc.Errors)}]; problems: [{string.Join("; ", doc.Problems)}]";

        switch (c.GetProperty("verdict").GetString())
        {
            case "valid":
                Assert.True(doc.LineErrorCount == 0 && doc.Problems.Count == 0, found);
                break;
            case "line-error":
                Assert.True(doc.Problems.Count == 0, found);
                Assert.Equal(c.GetProperty("line").GetInt32(), Assert.Single(doc.Errors).LineNumber);
                break;
            case "problem":
                Assert.True(doc.LineErrorCount == 0, found);
                var expected = c.GetProperty("problemContains").GetString()!;
                Assert.True(doc.Problems.Any(p => p.Message.Contains(expected, StringComparison.Ordinal)), $"no problem naming '{expected}'; {found}");
                break;
            default:
                Assert.Fail($"unknown verdict in {CasesPath}: {c.GetProperty("verdict")}");
                break;
        }

        foreach (var keep in c.GetProperty("keep").EnumerateArray())
        {
            var sampleName = keep.GetProperty("name").GetString()!;
            var sample = Assert.Single(doc.Samples(sampleName));
            Assert.Equal(ExpectedValue(keep.GetProperty("value")), sample.Value);
            if (keep.TryGetProperty("timestampSeconds", out var ts))
            {
                Assert.Equal(ts.GetDouble(), sample.TimestampSeconds!.Value, 6);
            }
        }
    }

    // JSON has no infinities: they are written as the exposition formats write them.
    private static double ExpectedValue(JsonElement value) => value.ValueKind == JsonValueKind.String
        ? value.GetString() switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            "NaN" => double.NaN,
            var other => throw new InvalidDataException($"{CasesPath}: '{other}' is no value (a number, +Inf, -Inf or NaN)"),
        }
        : value.GetDouble();

    [Fact]
    public void Every_case_names_its_rule_and_both_formats_are_covered()
    {
        var cases = Cases();
        Assert.All(cases, c => Assert.False(string.IsNullOrWhiteSpace(c.GetProperty("rule").GetString())));
        Assert.Contains(cases, c => c.GetProperty("format").GetString() == "text");
        Assert.Contains(cases, c => c.GetProperty("format").GetString() == "openmetrics");
        Assert.Equal(cases.Length, cases.Select(c => c.GetProperty("name").GetString()).Distinct().Count());
    }
}
