using SolProfiler.Sol.Hardware;
using System.Text.Json.Nodes;
using SolProfiler.Analysis;
using SolProfiler.Sol.Models;
using SolProfiler.Sol.Modeling;
using SolProfiler.Telemetry.Gpu;
using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Analysis.Tests;

/// <summary>
/// What the sources tell against what the user set: unset settings filled (the SOL set up once all are known),
/// contradictions warned about while the user's settings stay.
/// </summary>
public sealed class ServerFactsTests : IDisposable
{
    private static readonly DateTimeOffset At = new(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
    private readonly string _hub = Directory.CreateTempSubdirectory("solprof-hub-").FullName;

    public void Dispose() => Directory.Delete(_hub, recursive: true);

    private (SolSetup Sol, ServerFacts Facts) Create(string model = "llama-3.1-70b", int? tp = 8, string? kv = null, int pp = 1, bool gpuSource = true)
    {
        var options = new DeploymentSettings { Model = model, Gpu = "h100-sxm", Tp = tp, Pp = pp, Kv = kv, Weights = "fp8" };
        var sol = new SolSetup(options, GpuCatalog.BuiltIn, awaitGpuCount: gpuSource, awaitServerKv: true);
        return (sol, new ServerFacts(options, sol, _hub));
    }

    private static ServingSample[] Serving(string? model = "meta-llama/Llama-3.1-70B-Instruct", string? cacheDtype = "auto") =>
        [new ServingSample { Server = ServerKind.Vllm, Engine = "0", Timestamp = At, Model = model, KvCacheDtype = cacheDtype, KvCacheBlockSize = 16 }];

    private static GpuSnapshot Gpus(int count) => new()
    {
        Backend = "sim",
        Timestamp = At,
        Gpus = Enumerable.Range(0, count).Select(i => new GpuSample { Index = i, Timestamp = At, Name = "NVIDIA H100 80GB HBM3" }).ToArray(),
    };

    private static List<ServerNotice> Drain(ServerFacts facts)
    {
        var list = new List<ServerNotice>();
        while (facts.Notices.TryDequeue(out var n))
        {
            list.Add(n);
        }

        return list;
    }

    [Theory]
    [InlineData("fp8", Precision.Fp8)]
    [InlineData("fp8_e4m3", Precision.Fp8)]
    [InlineData("fp8_e5m2", Precision.Fp8)]
    [InlineData("bfloat16", Precision.Bf16)]
    [InlineData("auto", Precision.Bf16)] // the model's dtype: Llama 3.1 is bf16
    public void An_unset_kv_is_the_servers_cache_dtype(string cacheDtype, Precision expected)
    {
        var (sol, facts) = Create();
        Assert.Null(sol.Prepared);
        Assert.Contains("KV-cache dtype not known yet", sol.Problem, StringComparison.Ordinal);

        facts.Apply(Serving(cacheDtype: cacheDtype), Gpus(8));

        Assert.NotNull(sol.Prepared);
        Assert.Equal(expected, sol.Prepared.Precisions.Kv);
        Assert.Empty(facts.Warnings);
        var notice = Assert.Single(Drain(facts));
        Assert.Equal(ServerNoticeKind.Setting, notice.Kind);
        Assert.Contains($"cache_dtype '{cacheDtype}'", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void A_server_that_tells_no_cache_dtype_leaves_kv_to_the_model_without_a_word()
    {
        var (sol, facts) = Create();
        facts.Apply(Serving(cacheDtype: null), Gpus(8));
        Assert.Equal(Precision.Bf16, sol.Prepared!.Precisions.Kv);
        Assert.Empty(Drain(facts));
    }

    [Theory]
    [InlineData("fp8", "auto", "--kv fp8, but the server's KV cache is bf16 (cache_dtype 'auto')")]
    [InlineData("bf16", "fp8_e4m3", "--kv bf16, but the server's KV cache is fp8 (cache_dtype 'fp8_e4m3')")]
    public void A_set_kv_the_server_contradicts_stays_with_a_warning(string kv, string cacheDtype, string warning)
    {
        var (sol, facts) = Create(kv: kv);
        Assert.NotNull(sol.Prepared); // nothing awaited: set up at start
        facts.Apply(Serving(cacheDtype: cacheDtype), Gpus(8));
        facts.Apply(Serving(cacheDtype: cacheDtype), Gpus(8));

        Assert.Equal(PrecisionRoles.Parse(kv, PrecisionRole.Kv), sol.Prepared.Precisions.Kv);
        Assert.StartsWith(warning, Assert.Single(facts.Warnings), StringComparison.Ordinal);
        Assert.Equal(ServerNoticeKind.Contradiction, Assert.Single(Drain(facts)).Kind); // logged once
    }

    [Theory]
    [InlineData("bf16", "auto")]
    [InlineData("fp8", "fp8")]
    [InlineData("fp8", "fp8_e5m2")]
    public void A_set_kv_the_server_agrees_with_is_silent(string kv, string cacheDtype)
    {
        var (_, facts) = Create(kv: kv);
        facts.Apply(Serving(cacheDtype: cacheDtype), Gpus(8));
        Assert.Empty(facts.Warnings);
        Assert.Empty(Drain(facts));
    }

    [Theory]
    [InlineData(1, 8, 8)]
    [InlineData(2, 8, 4)]
    [InlineData(1, 4, 4)]
    public void An_unset_tp_is_the_gpu_count_over_pp(int pp, int gpus, int expectedTp)
    {
        var (sol, facts) = Create(tp: null, kv: "fp8", pp: pp);
        Assert.Null(sol.Prepared);
        Assert.Contains("GPU count not known yet", sol.Problem, StringComparison.Ordinal);

        facts.Apply(null, Gpus(gpus));

        Assert.Equal(expectedTp, sol.Parallelism.Tp);
        Assert.Equal(expectedTp, sol.Prepared!.Configuration.Parallelism.Tp);
        Assert.Empty(facts.Warnings);
        var notice = Assert.Single(Drain(facts));
        Assert.Equal($"TP {expectedTp} (PP {pp}): the GPU source sees {gpus} GPUs and --tp is unset", notice.Message);
    }

    [Fact]
    public void Without_a_gpu_source_an_unset_tp_is_one()
    {
        var (sol, _) = Create(tp: null, kv: "fp8", gpuSource: false);
        Assert.Equal(1, sol.Parallelism.Tp);
    }

    [Fact]
    public void A_set_tp_the_gpu_count_contradicts_stays_with_a_warning_until_the_count_agrees()
    {
        var (sol, facts) = Create(tp: 8, kv: "fp8");
        facts.Apply(null, Gpus(4));
        facts.Apply(null, Gpus(4));
        Assert.Equal(8, sol.Prepared!.Configuration.Parallelism.Tp);
        Assert.StartsWith("the GPU source sees 4 GPUs, --tp 8 x --pp 1 = 8", Assert.Single(facts.Warnings), StringComparison.Ordinal);
        Assert.Single(Drain(facts));

        facts.Apply(null, Gpus(8));
        Assert.Empty(facts.Warnings);
    }

    [Theory]
    [InlineData("meta-llama/Llama-3.1-70B-Instruct", "llama-3.1-70b")]
    [InlineData("llama-3.1-70b", "llama-3.1-70b")] // the demo's id
    [InlineData("RedHatAI/Meta-Llama-3.1-8B-Instruct-FP8", "llama-3.1-8b")]
    public void Model_auto_is_the_catalog_model_the_server_serves(string served, string expected)
    {
        var (sol, facts) = Create(model: "auto", kv: "fp8");
        Assert.True(sol.ModelAwaited);
        Assert.Equal("auto", sol.ModelName);
        Assert.StartsWith("model not known yet", sol.Problem, StringComparison.Ordinal);

        facts.Apply(Serving(model: served, cacheDtype: "fp8"), Gpus(8));

        Assert.Equal(expected, sol.ModelName);
        Assert.NotNull(sol.Prepared);
        Assert.Null(sol.Problem);
        Assert.False(facts.WantsServedModel);
        var notice = Assert.Single(Drain(facts));
        Assert.Equal(ServerNoticeKind.ModelResolved, notice.Kind);
        Assert.Contains($"catalog model {expected}", notice.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Model_auto_reads_the_config_json_of_the_served_repository_from_the_hugging_face_cache()
    {
        using (var stream = typeof(ModelCatalog).Assembly.GetManifestResourceStream("catalog/Models/llama-3.1-8b.json")!)
        {
            var config = (JsonObject)JsonNode.Parse(stream)!["config"]!.DeepClone();
            config["num_hidden_layers"] = 16; // a model the catalog does not have
            var snapshot = Directory.CreateDirectory(Path.Combine(_hub, "models--acme--Llama-Half-8B", "snapshots", "3f1c0a2b")).FullName;
            File.WriteAllText(Path.Combine(snapshot, "config.json"), config.ToJsonString());
        }

        var (sol, facts) = Create(model: "auto", kv: "fp8");
        facts.Apply(Serving(model: "acme/Llama-Half-8B", cacheDtype: "fp8"), Gpus(8));

        Assert.Equal(16, sol.Model!.NumLayers);
        Assert.NotNull(sol.Prepared);
        Assert.Contains("Hugging Face cache", Assert.Single(Drain(facts)).Message, StringComparison.Ordinal);
    }

    [Fact]
    public void An_unresolvable_served_id_is_said_once_naming_the_id_and_the_flag()
    {
        var (sol, facts) = Create(model: "auto", kv: "fp8");
        facts.Apply(Serving(model: "tiny-llama"), Gpus(8));
        facts.Apply(Serving(model: "tiny-llama"), Gpus(8));

        Assert.Null(sol.Prepared);
        Assert.True(facts.WantsServedModel);
        var warning = Assert.Single(facts.Warnings);
        Assert.Contains("'tiny-llama'", warning, StringComparison.Ordinal);
        Assert.Contains("--model ID|path/to/config.json", warning, StringComparison.Ordinal);
        Assert.Contains(_hub, warning, StringComparison.Ordinal);
        Assert.Contains("'tiny-llama'", sol.Problem, StringComparison.Ordinal);
        Assert.Equal(ServerNoticeKind.ModelUnresolved, Assert.Single(Drain(facts)).Kind);
    }

    [Fact]
    public void Without_a_model_label_the_ids_of_v1_models_are_used()
    {
        var (sol, facts) = Create(model: "auto", kv: "fp8");
        facts.Apply(Serving(model: null), Gpus(8));
        Assert.True(sol.ModelAwaited);
        Assert.Empty(Drain(facts)); // waiting for the list, nothing to say yet

        facts.ModelsListed(["tiny-llama", "meta-llama/Llama-3.1-70B-Instruct"]);
        facts.Apply(Serving(model: null), Gpus(8));
        Assert.Equal("llama-3.1-70b", sol.ModelName);
    }

    [Fact]
    public void A_server_that_names_no_model_anywhere_is_said_once()
    {
        var (sol, facts) = Create(model: "auto", kv: "fp8");
        facts.ModelsUnlisted("GET http://127.0.0.1:1/v1/models lists none");
        facts.Apply(Serving(model: null), Gpus(8));
        facts.Apply(Serving(model: null), Gpus(8));
        Assert.Contains("names no model in its metrics and GET http://127.0.0.1:1/v1/models lists none: set --model ID|path/to/config.json", sol.Problem, StringComparison.Ordinal);
        Assert.Single(Drain(facts));
    }

    [Fact]
    public void A_set_model_the_server_contradicts_stays_with_a_warning()
    {
        var (sol, facts) = Create(model: "llama-3.1-8b", kv: "fp8", tp: 1);
        facts.Apply(Serving(model: "meta-llama/Llama-3.1-70B-Instruct", cacheDtype: "fp8"), Gpus(1));
        Assert.Equal("llama-3.1-8b", sol.ModelName);
        Assert.Equal("--model llama-3.1-8b, but the server serves 'meta-llama/Llama-3.1-70B-Instruct' (catalog model llama-3.1-70b): the SOL uses --model", Assert.Single(facts.Warnings));

        var (_, agreeing) = Create(model: "llama-3.1-70b", kv: "fp8");
        agreeing.Apply(Serving(model: "meta-llama/Llama-3.1-70B-Instruct", cacheDtype: "fp8"), Gpus(8));
        agreeing.Apply(Serving(model: "tiny-llama", cacheDtype: "fp8"), Gpus(8)); // an id the catalog does not know contradicts nothing
        Assert.Empty(agreeing.Warnings);
    }

    [Fact]
    public void A_gpu_count_that_breaks_the_model_is_a_problem_not_a_crash()
    {
        // 3 GPUs: TP 3 does not divide Llama's 64 heads.
        var (sol, facts) = Create(tp: null, kv: "fp8");
        facts.Apply(null, Gpus(3));
        Assert.Null(sol.Prepared);
        Assert.Contains("cannot be set up for llama-3.1-70b on 3 x h100-sxm", sol.Problem, StringComparison.Ordinal);
    }
}
