using System.Text.Json;
using System.Text.Json.Nodes;

namespace SolProfiler.Cli.Tests;

/// <summary>The JSON contract of <c>solprof sol --format json</c> and the relations its numbers must satisfy.</summary>
public class JsonOutputTests
{
    private static readonly string[] Bounds = ["weights", "kv", "compute", "comm", "energy"];
    private static readonly string[] Schedules = ["serial", "overlap"];
    private static readonly string[] NumberFields =
    [
        "context", "prefillTokens", "tokensPerStep", "weightBytesPerGpu", "kvBytesPerGpu", "kvBytesPerToken", "flopsPerGpu", "commBytesPerGpu",
        "tokensPerSecondPerUser", "tokensPerSecondPerGpu", "joulesPerToken", "replicatedKvBytesPerGpu", "serialStepSeconds",
    ];

    private static readonly string[] SecondsFields = ["weights", "kv", "compute", "comm", "energy", "step", "prefill"];
    private static readonly string[] ShareFields = ["weights", "kv", "compute", "comm", "prefill"];

    /// <summary>
    /// Every contract field is there with the right JSON type, and the relations of the SOL model hold.
    /// <paramref name="acceptedLength"/> is the mean accepted length (1 without speculative decoding).
    /// </summary>
    internal static void AssertContract(JsonObject o, double acceptedLength = 1.0)
    {
        Assert.False(string.IsNullOrWhiteSpace(Cli.Str(o, "model")));
        Assert.False(string.IsNullOrWhiteSpace(Cli.Str(o, "gpu")));
        foreach (var key in new[] { "tp", "pp", "ep", "batch", "denseTp" })
        {
            var v = Cli.Num(o, key);
            Assert.True(v >= 1 && v == Math.Floor(v), $"{key} = {v} must be a positive integer");
        }

        foreach (var key in NumberFields)
        {
            var v = Cli.Num(o, key);
            Assert.True(double.IsFinite(v) && v >= 0, $"{key} = {v} must be finite and >= 0");
        }

        foreach (var key in SecondsFields)
        {
            var v = Cli.Num(o, "seconds." + key);
            Assert.True(double.IsFinite(v) && v >= 0, $"seconds.{key} = {v} must be finite and >= 0");
        }

        double shareSum = 0;
        foreach (var key in ShareFields)
        {
            var v = Cli.Num(o, "shares." + key);
            Assert.InRange(v, 0.0, 1.0);
            shareSum += v;
        }

        Cli.Close(1.0, shareSum, 1e-12, "sum of shares");

        var bound = Cli.Str(o, "bound");
        Assert.Contains(bound, Bounds);

        _ = Cli.Bool(o, "fits");
        Assert.True(o.ContainsKey("maxBatchThatFits"), "maxBatchThatFits must be present (null only when KV needs no memory)");
        var warnings = Assert.IsType<JsonArray>(o["warnings"]);
        Assert.All(warnings, w => Assert.Equal(JsonValueKind.String, Assert.IsAssignableFrom<JsonValue>(w).GetValueKind()));

        // Relations.
        var w = Cli.Num(o, "seconds.weights");
        var kv = Cli.Num(o, "seconds.kv");
        var compute = Cli.Num(o, "seconds.compute");
        var comm = Cli.Num(o, "seconds.comm");
        var energy = Cli.Num(o, "seconds.energy");
        var step = Cli.Num(o, "seconds.step");
        var schedule = Cli.Str(o, "schedule");
        Assert.Contains(schedule, Schedules);

        // Serial: the collectives follow the memory-or-compute phase; overlapped: one micro-batch's run under the other's.
        var roofline = schedule == "serial" ? Math.Max(w + kv, compute) + comm : Math.Max(Math.Max(w + kv, compute), comm);
        var eps = 1e-12 * step;
        Assert.True(step > 0, "the step takes time");
        Assert.True(step >= roofline - eps, $"step {step} < the {schedule} roofline {roofline}");

        // A replicating layout never reads less KV than the SOL's; each operation names the peak it was charged at.
        Assert.True(Cli.Num(o, "replicatedKvBytesPerGpu") >= Cli.Num(o, "kvBytesPerGpu") * (1 - 1e-12), "replicated KV bytes below the SOL's");
        foreach (var op in new[] { "linear", "experts", "attention", "head" })
        {
            Assert.True(Cli.Num(o, $"peaks.{op}.flopsPerSecond") > 0, $"peaks.{op}.flopsPerSecond");
            Assert.False(string.IsNullOrWhiteSpace(Cli.Str(o["peaks"]?[op], "math")), $"peaks.{op}.math");
        }

        // The step is the least over the schedules, and the one it names.
        var serialStep = Cli.Num(o, "serialStepSeconds");
        var overlapStep = o["overlapStepSeconds"] is JsonValue ov ? ov.GetValue<double>() : (double?)null;
        Assert.True(overlapStep is not null || Cli.Num(o, "batch") < 2 * Cli.Num(o, "pp"), "overlapStepSeconds is null only where the batch cannot be split into two micro-batches per stage");
        Cli.Close(Math.Min(serialStep, overlapStep ?? double.PositiveInfinity), step, 1e-12, "step = least over the schedules");
        Cli.Close(schedule == "serial" ? serialStep : overlapStep!.Value, step, 1e-12, "step = the named schedule's step");
        Assert.True(step >= energy - eps, $"step {step} < energy time {energy}");
        Assert.True(Math.Abs(step - Math.Max(roofline, energy)) <= eps, $"step {step} is neither the roofline {roofline} nor the energy time {energy}");

        // The bound names the term that sets the step.
        var memory = w + kv;
        switch (bound)
        {
            case "energy":
                Assert.True(energy >= roofline - eps, $"energy-bound but energy {energy} < roofline {roofline}");
                break;
            case "comm":
                Assert.True(comm >= Math.Max(memory, compute) - eps && roofline >= energy - eps, $"comm-bound but comm {comm}, memory {memory}, compute {compute}");
                break;
            case "compute":
                Assert.True(compute >= memory - eps && roofline >= energy - eps, $"compute-bound but compute {compute} < weights + kv {memory}");
                break;
            case "weights":
                Assert.True(memory >= compute - eps && w >= kv && roofline >= energy - eps, $"weights-bound but weights {w}, kv {kv}, compute {compute}");
                break;
            case "kv":
                Assert.True(memory >= compute - eps && kv >= w && roofline >= energy - eps, $"kv-bound but weights {w}, kv {kv}, compute {compute}");
                break;
        }

        var batch = Cli.Num(o, "batch");
        Assert.Equal(acceptedLength, Cli.Num(o, "tokensPerStep"));
        Assert.True(Cli.Num(o, "seconds.prefill") <= step, "the prompt's part of the step is part of the step");
        var gpus = Cli.Num(o, "tp") * Cli.Num(o, "pp");
        Cli.Close(acceptedLength / step, Cli.Num(o, "tokensPerSecondPerUser"), 1e-12, "tokensPerSecondPerUser");
        Cli.Close(batch * acceptedLength / (step * gpus), Cli.Num(o, "tokensPerSecondPerGpu"), 1e-12, "tokensPerSecondPerGpu");

        // Fits in memory exactly when the batch is at most the largest batch that fits.
        if (o["maxBatchThatFits"] is JsonValue max && Cli.Num(o, "context") > 0 && Cli.Num(o, "attentionDp") == 1)
        {
            Assert.Equal(batch <= max.GetValue<double>(), Cli.Bool(o, "fits"));
        }
    }

    [Fact]
    public async Task One_batch_prints_one_object_with_every_contract_field()
    {
        var node = await Cli.Json("sol", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--tp", "2", "--pp", "2", "--batch", "64", "--context", "4096");
        var o = Assert.IsType<JsonObject>(node);
        AssertContract(o);
        Assert.Equal("llama-3.1-70b", Cli.Str(o, "model"));
        Assert.Equal("h100-sxm", Cli.Str(o, "gpu"));
        Assert.Equal(2, Cli.Num(o, "tp"));
        Assert.Equal(2, Cli.Num(o, "pp"));
        Assert.Equal(1, Cli.Num(o, "ep"));
        Assert.Equal(64, Cli.Num(o, "batch"));
        Assert.Equal(4096, Cli.Num(o, "context"));
    }

    [Fact]
    public async Task Kv_bytes_per_token_of_llama_70b_in_bf16_is_2_x_kv_heads_x_head_dim_x_layers_x_2()
    {
        var config = Cli.CatalogConfig("llama-3.1-70b");
        var expected = 2.0 * (int)config["num_key_value_heads"]! * (int)config["head_dim"]! * (int)config["num_hidden_layers"]! * 2;
        Assert.Equal(2.0 * 8 * 128 * 80 * 2, expected); // the catalog still holds the published config
        var o = Assert.IsType<JsonObject>(await Cli.Json("sol", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--batch", "1", "--context", "4096"));
        Assert.Equal(327680.0, Cli.Num(o, "kvBytesPerToken"));
        Assert.Equal("bf16", Cli.Str(o, "kv"));
    }

    [Fact]
    public async Task Fp8_kv_cache_halves_kv_bytes_per_token()
    {
        // An FP8 KV cache stores one byte per element (per-tensor scales, nothing per block): half of BF16.
        string[] args = ["sol", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--batch", "1", "--context", "4096"];
        var bf16 = await Cli.Json(args);
        var fp8 = await Cli.Json([.. args, "--kv", "fp8"]);
        Assert.Equal("fp8", Cli.Str(fp8, "kv"));
        Assert.Equal(2.0 * 8 * 128 * 80 * 1, Cli.Num(fp8, "kvBytesPerToken"));
        Assert.Equal(Cli.Num(bf16, "kvBytesPerToken") / 2, Cli.Num(fp8, "kvBytesPerToken"));
    }

    [Fact]
    public async Task A_list_of_batches_prints_an_array_in_the_given_order()
    {
        var points = await Cli.JsonArray("sol", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--tp", "4", "--batch", "1,8,64,256", "--context", "8192");
        Assert.Equal([1.0, 8, 64, 256], points.Select(p => Cli.Num(p, "batch")));
        Assert.All(points, p => AssertContract(p));
        Assert.All(points, p => Assert.Equal(4, Cli.Num(p, "tp")));
    }

    [Fact]
    public async Task A_batch_range_is_the_powers_of_two_between_its_ends()
    {
        var points = await Cli.JsonArray("sol", "--model", "llama-3.1-8b", "--gpu", "h100-sxm", "--batch", "1..256", "--context", "2048");
        var expected = Enumerable.Range(0, 9).Select(i => (double)(1 << i)).ToArray();
        Assert.Equal(expected, points.Select(p => Cli.Num(p, "batch")));
        Assert.All(points, p => AssertContract(p));
    }

    [Fact]
    public async Task A_config_json_path_gives_the_same_numbers_as_the_catalog_id()
    {
        using var temp = new TempFolder();
        var path = temp.Write("llama70/config.json", Cli.CatalogConfig("llama-3.1-70b").ToJsonString());
        string[] rest = ["--gpu", "h100-sxm", "--tp", "4", "--batch", "1,32,512", "--context", "8192"];
        var byId = await Cli.JsonArray(["sol", "--model", "llama-3.1-70b", .. rest]);
        var byPath = await Cli.JsonArray(["sol", "--model", path, .. rest]);
        Assert.Equal(byId.Length, byPath.Length);
        for (var i = 0; i < byId.Length; i++)
        {
            var a = Cli.NumericLeaves(byId[i]);
            var b = Cli.NumericLeaves(byPath[i]);
            Assert.Equal(a.Keys.Order(StringComparer.Ordinal), b.Keys.Order(StringComparer.Ordinal));
            Assert.Contains("seconds.step", a.Keys);
            foreach (var (key, value) in a)
            {
                Assert.True(value == b[key], $"point {i}: {key} is {value} by id but {b[key]} by path");
            }

            Assert.Equal(Cli.Str(byId[i], "bound"), Cli.Str(byPath[i], "bound"));
            Assert.Equal(Cli.Bool(byId[i], "fits"), Cli.Bool(byPath[i], "fits"));
        }
    }

    [Fact]
    public async Task A_folder_holding_a_config_json_works_like_the_file()
    {
        using var temp = new TempFolder();
        var path = temp.Write("llama8/config.json", Cli.CatalogConfig("llama-3.1-8b").ToJsonString());
        string[] rest = ["--gpu", "h100-sxm", "--batch", "16", "--context", "8192"];
        var byFile = Cli.NumericLeaves(await Cli.Json(["sol", "--model", path, .. rest]));
        var byFolder = Cli.NumericLeaves(await Cli.Json(["sol", "--model", Path.GetDirectoryName(path)!, .. rest]));
        Assert.Equal(byFile, byFolder);
    }

    [Fact]
    public async Task A_tp_sweep_evaluates_every_tp_for_every_batch()
    {
        int[] batches = [1, 64];
        var points = await Cli.JsonArray("sol", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--tp-sweep", "1,2,4,8", "--batch", "1,64", "--context", "8192");
        Assert.Equal(4 * batches.Length, points.Length);
        Assert.Equal([1.0, 2, 4, 8], points.Select(p => Cli.Num(p, "tp")).Distinct());
        foreach (var tp in new[] { 1, 2, 4, 8 })
        {
            Assert.Equal(batches.Select(b => (double)b), points.Where(p => Cli.Num(p, "tp") == tp).Select(p => Cli.Num(p, "batch")));
        }

        Assert.All(points, p => AssertContract(p));

        // Splitting the model over more GPUs leaves each GPU fewer weight bytes to read.
        var weightsAtBatch1 = points.Where(p => Cli.Num(p, "batch") == 1).Select(p => Cli.Num(p, "weightBytesPerGpu")).ToArray();
        for (var i = 1; i < weightsAtBatch1.Length; i++)
        {
            Assert.True(weightsAtBatch1[i] < weightsAtBatch1[i - 1], $"weight bytes per GPU should fall with TP: {string.Join(", ", weightsAtBatch1)}");
        }
    }

    [Fact]
    public async Task Speculative_decoding_emits_the_accepted_length_per_step()
    {
        var points = await Cli.JsonArray("sol", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--tp", "4", "--batch", "1,16", "--context", "4096", "--draft", "3", "--accepted", "2.5");
        Assert.All(points, p =>
        {
            AssertContract(p, acceptedLength: 2.5);
            Cli.Close(2.5 / Cli.Num(p, "seconds.step"), Cli.Num(p, "tokensPerSecondPerUser"), 1e-12, "tokensPerSecondPerUser");
        });

        // Verifying 3 drafts scores 4 positions per sequence: more FLOPs per step than plain decode.
        var plain = await Cli.JsonArray("sol", "--model", "llama-3.1-70b", "--gpu", "h100-sxm", "--tp", "4", "--batch", "1,16", "--context", "4096");
        for (var i = 0; i < points.Length; i++)
        {
            Assert.True(Cli.Num(points[i], "flopsPerGpu") > Cli.Num(plain[i], "flopsPerGpu"));
        }
    }
}
