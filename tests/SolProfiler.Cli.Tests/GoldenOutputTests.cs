using SolProfiler.Testing;

namespace SolProfiler.Cli.Tests;

/// <summary>
/// The output contracts of <c>solprof sol</c>, byte for byte, against golden files in <c>Golden/</c>: a dense model
/// at two batches, a MoE with expert and attention-data parallelism, and a mixed step with speculative decoding.
/// A change to a field, its order or a number shows up in review as a diff of these files.
/// </summary>
public sealed class GoldenOutputTests
{
    public static TheoryData<string, string> Cases => new()
    {
        { "sol-llama-3.1-70b-h100-tp8", "--model llama-3.1-70b --gpu h100-sxm --tp 8 --batch 1,64 --context 2048" },
        { "sol-deepseek-v3-b200-ep8-adp8", "--model deepseek-v3 --gpu b200 --tp 8 --ep 8 --attention-dp 8 --weights nvfp4 --kv fp8 --batch 256 --context 4096" },
        { "sol-llama-3.1-8b-h200-mixed-spec", "--model llama-3.1-8b --gpu h200-sxm --batch 32 --context 8192 --prefill-tokens 512 --draft 3 --accepted 2.5" },
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Sol_json_is_its_golden_file(string name, string arguments)
    {
        var run = await Cli.Run(["sol", .. arguments.Split(' '), "--format", "json"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Golden.Verify(name + ".json", run.Stdout);
    }

    [Theory]
    [MemberData(nameof(Cases))]
    public async Task Sol_csv_is_its_golden_file(string name, string arguments)
    {
        var run = await Cli.Run(["sol", .. arguments.Split(' '), "--format", "csv"]);
        Assert.True(run.ExitCode == 0, run.ToString());
        Golden.Verify(name + ".csv", run.Stdout);
    }
}
