using System.Text;
using SolProfiler.Telemetry.Exposition;

namespace SolProfiler.Telemetry.Tests.Exposition;

/// <summary>
/// A parse that shares strings and a size with earlier parses of the endpoint (the agent's scraper) gives the same
/// document as a parse on its own, whatever came before: another body, a bigger one, a failed one.
/// </summary>
public sealed class ExpositionReuseTests
{
    private static readonly string[] Fixtures = ["vllm-v1", "sglang", "tgi", "llamacpp", "dcgm-exporter", "trtllm"];

    private static byte[] Fixture(string name) => File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "Fixtures", name, "metrics.prom"));

    /// <summary>Everything a reader of the document sees, as text: families, metadata, samples, errors, problems.</summary>
    private static string Render(ExpositionDocument doc)
    {
        var sb = new StringBuilder();
        sb.Append(doc.Format).Append(' ').Append(doc.SeriesCount).Append(' ').Append(doc.LineErrorCount).Append(' ').Append(doc.Bytes).Append('\n');
        foreach (var family in doc.Families.Values.OrderBy(f => f.Name, StringComparer.Ordinal))
        {
            sb.Append(family.Name).Append(' ').Append(family.Type).Append(' ').Append(family.Help).Append(' ').Append(family.Unit).Append('\n');
            foreach (var s in family.Samples)
            {
                sb.Append("  ").Append(s.Name).Append(string.Join(",", s.Labels.Select(l => l.Name + "=" + l.Value)))
                    .Append(' ').Append(s.Value.ToString("R", System.Globalization.CultureInfo.InvariantCulture)).Append(' ').Append(s.TimestampSeconds).Append('\n');
            }
        }

        foreach (var e in doc.Errors.Concat(doc.Problems))
        {
            sb.Append(e).Append('\n');
        }

        return sb.ToString();
    }

    private static ExpositionDocument Alone(byte[] body) => ExpositionParser.Parse(new MemoryStream(body));

    private static ExpositionDocument Shared(byte[] body, ExpositionReuse reuse) =>
        ExpositionParser.ParseAsync(new MemoryStream(body), reuse, null, null, CancellationToken.None).GetAwaiter().GetResult();

    [Fact]
    public void Every_fixture_parses_the_same_with_a_pool_that_has_read_every_other_fixture()
    {
        var reuse = new ExpositionReuse();
        foreach (var round in new[] { 1, 2 })
        {
            foreach (var name in Fixtures)
            {
                var body = Fixture(name);
                Assert.True(Render(Alone(body)) == Render(Shared(body, reuse)), $"{name}, round {round}: the shared parse differs");
            }
        }
    }

    [Fact]
    public void The_second_parse_of_a_body_shares_the_first_ones_strings()
    {
        var reuse = new ExpositionReuse();
        var body = Fixture("vllm-v1");
        var first = Shared(body, reuse);
        var second = Shared(body, reuse);

        var a = first.Families.Values.SelectMany(f => f.Samples).ToArray();
        var b = second.Families.Values.SelectMany(f => f.Samples).ToArray();
        Assert.Equal(a.Length, b.Length);
        Assert.All(a.Zip(b), p =>
        {
            Assert.Same(p.First.Name, p.Second.Name);
            Assert.All(p.First.Labels.Zip(p.Second.Labels), l => Assert.Same(l.First.Value, l.Second.Value));
        });
    }

    [Fact]
    public void A_body_of_churning_label_values_does_not_grow_the_pool_past_its_bound_and_parses_the_same()
    {
        var reuse = new ExpositionReuse();
        for (var round = 0; round < 3; round++)
        {
            var sb = new StringBuilder("# TYPE churn gauge\n");
            for (var i = 0; i < ExpositionReuse.MaxStrings + 10; i++)
            {
                sb.Append("churn{id=\"").Append(round).Append('-').Append(i).Append("\"} 1\n");
            }

            var body = Encoding.UTF8.GetBytes(sb.ToString());
            Assert.Equal(Render(Alone(body)), Render(Shared(body, reuse)));
        }

        // The pool was dropped after each oversized parse; a small body after it still parses the same.
        var small = Fixture("tgi");
        Assert.Equal(Render(Alone(small)), Render(Shared(small, reuse)));
    }

    [Fact]
    public void A_parse_that_fails_returns_the_pool_and_the_next_parse_is_whole()
    {
        var reuse = new ExpositionReuse();
        var tooLarge = new ExpositionLimits { MaxBytes = 16 };
        Assert.Throws<ExpositionTooLargeException>(() =>
            ExpositionParser.ParseAsync(new MemoryStream(Fixture("vllm-v1")), reuse, tooLarge, null, CancellationToken.None).GetAwaiter().GetResult());

        var body = Fixture("vllm-v1");
        Assert.Equal(Render(Alone(body)), Render(Shared(body, reuse)));
    }

    [Fact]
    public void Parses_sharing_one_pool_at_once_each_give_the_document_alone()
    {
        var reuse = new ExpositionReuse();
        var bodies = Fixtures.Select(Fixture).ToArray();
        var expected = bodies.Select(b => Render(Alone(b))).ToArray();

        Parallel.For(0, 64, i => Assert.Equal(expected[i % bodies.Length], Render(Shared(bodies[i % bodies.Length], reuse))));
    }
}
