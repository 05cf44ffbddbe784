namespace SolProfiler.Cli.Tests;

/// <summary><c>--pareto FILE.png|FILE.svg</c> writes the frontier chart.</summary>
public class ParetoChartTests
{
    private static readonly byte[] PngSignature = [0x89, 0x50, 0x4E, 0x47, 0x0D, 0x0A, 0x1A, 0x0A];

    [Fact]
    public async Task Pareto_png_is_a_png_file()
    {
        using var temp = new TempFolder();
        var path = temp.File("frontier.png");
        var run = await Cli.Run("sol", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--tp-sweep", "2,4,8", "--batch", "1..64", "--context", "8192", "--pareto", path);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(path), run.ToString());
        var bytes = await File.ReadAllBytesAsync(path);
        Assert.True(bytes.Length > PngSignature.Length, "empty PNG");
        Assert.Equal(PngSignature, bytes.Take(PngSignature.Length));
    }

    [Fact]
    public async Task Pareto_svg_is_an_svg_document()
    {
        using var temp = new TempFolder();
        var path = temp.File("frontier.svg");
        var run = await Cli.Run("sol", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--batch", "1,8,64,512", "--context", "4096", "--format", "json", "--pareto", path);
        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.True(File.Exists(path), run.ToString());
        var text = await File.ReadAllTextAsync(path);
        Assert.Contains("<svg", text, StringComparison.Ordinal);
    }
}
