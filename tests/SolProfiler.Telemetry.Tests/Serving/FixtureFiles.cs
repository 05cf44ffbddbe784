using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Tests.Serving;

/// <summary>Reads a fixture copied to the test output (Fixtures/&lt;server&gt;/*.prom) through the real parser.</summary>
internal static class FixtureFiles
{
    public static ExpositionDocument Load(string relativePath)
    {
        var doc = ExpositionParser.Parse(File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Fixtures", relativePath)));
        Assert.Equal(0, doc.LineErrorCount);
        Assert.Empty(doc.Problems);
        return doc;
    }
}
