using System.Text.Json;
using System.Text.Json.Nodes;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Models;

/// <summary>
/// Reads a Hugging Face <c>config.json</c> into a <see cref="ModelArchitecture"/>.
/// Known model types: llama, mistral, mixtral, qwen2, qwen3, qwen3_moe, deepseek_v3, gpt_oss; any other
/// type with the standard fields is read as a generic decoder, with a warning. Field names and defaults follow
/// the transformers configuration classes of each type.
/// </summary>
public static class HfConfigReader
{
    private static readonly HashSet<string> KnownTypes = new(StringComparer.Ordinal)
    {
        "llama", "mistral", "mixtral", "qwen2", "qwen3", "qwen3_moe", "deepseek_v3", "gpt_oss",
    };

    public static ModelArchitecture ReadFile(string path)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(File.ReadAllText(path), documentOptions: new JsonDocumentOptions { AllowTrailingCommas = true, CommentHandling = JsonCommentHandling.Skip });
        }
        catch (JsonException e)
        {
            throw new SolInputException($"{path}: not valid JSON ({e.Message})", e);
        }
        catch (IOException e)
        {
            throw new SolInputException($"{path}: cannot read ({e.Message})", e);
        }
        catch (UnauthorizedAccessException e)
        {
            throw new SolInputException($"{path}: cannot read ({e.Message})", e);
        }

        var id = Path.GetFileName(Path.GetDirectoryName(Path.GetFullPath(path))) is { Length: > 0 } dir ? dir : Path.GetFileNameWithoutExtension(path);
        return Read(node as JsonObject ?? throw new SolInputException($"{path}: expected a JSON object"), id, path);
    }

    public static ModelArchitecture Read(JsonObject root, string id, string origin)
    {
        ArgumentNullException.ThrowIfNull(root);
        var warnings = new List<string>();
        var c = new Fields(root, origin);
        if (root["text_config"] is JsonObject text && root["hidden_size"] is null)
        {
            warnings.Add($"{origin}: using 'text_config' (the language model of a multimodal checkpoint)");
            c = new Fields(text, origin + " text_config");
            if (text["model_type"] is null && root["model_type"] is not null)
            {
                text["model_type"] = root["model_type"]!.DeepClone();
            }
        }

        var modelType = c.OptString("model_type") ?? "";
        if (!KnownTypes.Contains(modelType))
        {
            warnings.Add(modelType.Length == 0
                ? $"{origin}: no 'model_type'; read as a generic decoder (standard fields)"
                : $"{origin}: model_type '{modelType}' is not one SolProfiler knows; read as a generic decoder (standard fields)");
        }

        var hidden = c.Int("hidden_size");
        var layers = c.Int("num_hidden_layers");
        var heads = c.Int("num_attention_heads");
        var vocab = c.Int("vocab_size");
        var kvHeads = c.OptInt("num_key_value_heads") ?? heads;
        var headDim = c.OptInt("head_dim") ?? DivideExactly(hidden, heads, origin);
        var dtype = ReadDtype(c, warnings, origin);

        bool tied;
        if (c.OptBool("tie_word_embeddings") is { } t)
        {
            tied = t;
        }
        else
        {
            // transformers' PretrainedConfig defaults to tied; the known types here override it to false.
            tied = !KnownTypes.Contains(modelType);
            if (tied)
            {
                warnings.Add($"{origin}: no 'tie_word_embeddings'; assumed tied (transformers' default)");
            }
        }

        var mla = ReadMla(c, modelType);
        var moe = ReadMoe(c, modelType, warnings, origin);
        var layerSpecs = ReadLayers(c, modelType, layers, moe, origin);
        var hasDense = layerSpecs.Any(l => !l.IsMoe);
        var denseWidth = hasDense ? c.Int("intermediate_size") : c.OptInt("intermediate_size") ?? 0;
        if (modelType == "mixtral" || modelType == "gpt_oss")
        {
            denseWidth = 0; // their intermediate_size is the expert width
        }

        var (weights, expertWeights) = ReadQuantization(c, dtype, moe is not null, warnings, origin);
        var attentionBias = c.OptBool("attention_bias") ?? false;
        return new ModelArchitecture
        {
            Id = id,
            ModelType = modelType.Length == 0 ? "generic" : modelType,
            HiddenSize = hidden,
            VocabSize = vocab,
            TieWordEmbeddings = tied,
            NumHeads = heads,
            NumKvHeads = kvHeads,
            HeadDim = headDim,
            Attention = mla is null ? AttentionKind.Gqa : AttentionKind.Mla,
            Mla = mla,
            QkvBias = modelType == "qwen2" || attentionBias,
            OutputBias = attentionBias && modelType != "qwen2",
            QkNorm = modelType is "qwen3" or "qwen3_moe",
            AttentionSinks = modelType == "gpt_oss",
            DenseIntermediateSize = denseWidth,
            MlpBias = c.OptBool("mlp_bias") ?? false,
            Moe = moe,
            Layers = layerSpecs,
            MtpLayers = c.OptInt("num_nextn_predict_layers", allowZero: true) ?? 0,
            ActivationDtype = dtype,
            DefaultWeights = weights,
            DefaultExpertWeights = expertWeights,
            Warnings = warnings,
        };
    }

    private static int DivideExactly(int hidden, int heads, string origin) =>
        hidden % heads == 0 ? hidden / heads : throw new SolInputException($"{origin}: no 'head_dim' and hidden_size {hidden} is not a multiple of num_attention_heads {heads}");

    private static Precision ReadDtype(Fields c, List<string> warnings, string origin)
    {
        var text = c.OptString("torch_dtype") ?? c.OptString("dtype");
        switch (text)
        {
            case "bfloat16":
                return Precision.Bf16;
            case "float16":
                return Precision.Fp16;
            case null:
                warnings.Add($"{origin}: no 'torch_dtype'; assumed bfloat16");
                return Precision.Bf16;
            default:
                warnings.Add($"{origin}: torch_dtype '{text}' is served as bfloat16 here");
                return Precision.Bf16;
        }
    }

    private static MlaDimensions? ReadMla(Fields c, string modelType)
    {
        if (modelType != "deepseek_v3" && c.OptInt("kv_lora_rank") is null)
        {
            return null;
        }

        return new MlaDimensions(
            QLoraRank: c.OptInt("q_lora_rank") ?? 0,
            KvLoraRank: c.Int("kv_lora_rank"),
            QkNopeHeadDim: c.Int("qk_nope_head_dim"),
            QkRopeHeadDim: c.Int("qk_rope_head_dim"),
            VHeadDim: c.Int("v_head_dim"));
    }

    private static MoeSpec? ReadMoe(Fields c, string modelType, List<string> warnings, string origin)
    {
        switch (modelType)
        {
            case "mixtral":
                return new MoeSpec(c.Int("num_local_experts"), c.Int("num_experts_per_tok"), c.Int("intermediate_size"), 0, 0, false, false);
            case "qwen3_moe":
                return new MoeSpec(c.Int("num_experts"), c.Int("num_experts_per_tok"), c.Int("moe_intermediate_size"), 0, 0, false, false);
            case "deepseek_v3":
                var shared = c.OptInt("n_shared_experts", allowZero: true) ?? 0;
                var expertWidth = c.Int("moe_intermediate_size");
                return new MoeSpec(c.Int("n_routed_experts"), c.Int("num_experts_per_tok"), expertWidth, shared, expertWidth, false,
                    RouterBias: (c.OptString("topk_method") ?? "noaux_tc") == "noaux_tc");
            case "gpt_oss":
                var k = c.OptInt("num_experts_per_tok") ?? c.Int("experts_per_token");
                return new MoeSpec(c.Int("num_local_experts"), k, c.Int("intermediate_size"), 0, 0, true, true);
            case "llama" or "mistral" or "qwen2" or "qwen3":
                return null;
            default:
                var experts = c.OptInt("num_local_experts") ?? c.OptInt("num_experts") ?? c.OptInt("n_routed_experts");
                if (experts is null)
                {
                    return null;
                }

                warnings.Add($"{origin}: generic MoE read from num_experts/num_experts_per_tok/moe_intermediate_size; shared experts from n_shared_experts or shared_expert_intermediate_size");
                var sharedWidth = c.OptInt("shared_expert_intermediate_size", allowZero: true) ?? 0;
                var width = c.OptInt("moe_intermediate_size") ?? c.Int("intermediate_size");
                var nShared = c.OptInt("n_shared_experts", allowZero: true) ?? (sharedWidth > 0 ? 1 : 0);
                return new MoeSpec(experts.Value, c.Int("num_experts_per_tok"), width, nShared, sharedWidth > 0 ? sharedWidth : width, false, false);
        }
    }

    private static LayerSpec[] ReadLayers(Fields c, string modelType, int layers, MoeSpec? moe, string origin)
    {
        var windows = ReadWindows(c, modelType, layers, origin);
        var specs = new LayerSpec[layers];
        var firstDense = c.OptInt("first_k_dense_replace", allowZero: true) ?? 0;
        var moeFreq = c.OptInt("moe_layer_freq") ?? 1;
        var sparseStep = c.OptInt("decoder_sparse_step") ?? 1;
        var mlpOnly = c.OptIntArray("mlp_only_layers");
        for (var i = 0; i < layers; i++)
        {
            var isMoe = moe is not null && modelType switch
            {
                "deepseek_v3" => i >= firstDense && i % moeFreq == 0,
                "qwen3_moe" => !mlpOnly.Contains(i) && (i + 1) % sparseStep == 0,
                _ => i >= firstDense,
            };
            specs[i] = new LayerSpec(windows[i], isMoe);
        }

        return specs;
    }

    private static int?[] ReadWindows(Fields c, string modelType, int layers, string origin)
    {
        var windows = new int?[layers];
        var window = c.OptInt("sliding_window");
        if (c.OptStringArray("layer_types") is { } types)
        {
            if (types.Length != layers)
            {
                throw new SolInputException($"{origin}: 'layer_types' has {types.Length} entries but num_hidden_layers is {layers}");
            }

            for (var i = 0; i < layers; i++)
            {
                windows[i] = types[i] switch
                {
                    "sliding_attention" => window ?? throw new SolInputException($"{origin}: 'layer_types' names sliding layers but 'sliding_window' is missing"),
                    "full_attention" => null,
                    var other => throw new SolInputException($"{origin}: 'layer_types[{i}]' is '{other}'; expected sliding_attention or full_attention"),
                };
            }

            return windows;
        }

        if (window is null)
        {
            return windows;
        }

        // Qwen2/Qwen3 carry a sliding_window value that is off unless use_sliding_window is set;
        // when on, layers from max_window_layers upward slide. Mistral-style configs slide on every layer.
        var useSliding = c.OptBool("use_sliding_window") ?? modelType is not ("qwen2" or "qwen3" or "qwen3_moe");
        if (!useSliding)
        {
            return windows;
        }

        var from = modelType is "qwen2" or "qwen3" or "qwen3_moe" ? c.OptInt("max_window_layers", allowZero: true) ?? 0 : 0;
        for (var i = from; i < layers; i++)
        {
            windows[i] = window;
        }

        return windows;
    }

    private static (Precision Weights, Precision? Experts) ReadQuantization(Fields c, Precision dtype, bool isMoe, List<string> warnings, string origin)
    {
        if (c.OptObject("quantization_config") is not { } q)
        {
            return (dtype, null);
        }

        var method = (q["quant_method"] as JsonValue)?.GetValue<string>()?.ToLowerInvariant() ?? "";
        var bits = q["bits"] is JsonValue b && b.TryGetValue(out int n) ? n : 0;
        var algo = ((q["quant_algo"] as JsonValue)?.GetValue<string>() ?? "").ToUpperInvariant();
        switch (method)
        {
            case "fp8":
            case "fbgemm_fp8":
                return (Precision.Fp8, null);
            case "mxfp4":
                // gpt-oss: only the experts are MXFP4; attention, router, embeddings stay 16-bit (modules_to_not_convert).
                return isMoe ? (dtype, Precision.Mxfp4) : (Precision.Mxfp4, null);
            case "awq" or "gptq" when bits is 4 or 8:
                return (bits == 4 ? Precision.Int4 : Precision.Int8, null);
            case "modelopt" when algo.Contains("NVFP4", StringComparison.Ordinal):
                return (Precision.Nvfp4, null);
            case "modelopt" when algo.Contains("FP8", StringComparison.Ordinal):
                return (Precision.Fp8, null);
            case "compressed-tensors" when CompressedTensorsWeights(q) is { } p:
                return (p, null);
            default:
                warnings.Add($"{origin}: quantization_config '{method}' not recognised; weights taken as {PrecisionFacts.Name(dtype)} unless --weights is given");
                return (dtype, null);
        }
    }

    /// <summary>
    /// llm-compressor checkpoints (quant_method "compressed-tensors"): the weight scheme of the first config group,
    /// e.g. {"format": "float-quantized", "weights": {"num_bits": 8, "type": "float"}} for FP8 W8A8, or the
    /// "nvfp4-pack-quantized" format. Null when the scheme is not one the model knows.
    /// </summary>
    private static Precision? CompressedTensorsWeights(JsonObject q)
    {
        var format = (q["format"] as JsonValue)?.GetValue<string>() ?? "";
        if (format.Contains("nvfp4", StringComparison.OrdinalIgnoreCase))
        {
            return Precision.Nvfp4;
        }

        if (q["config_groups"] is not JsonObject groups || groups.FirstOrDefault().Value is not JsonObject group || group["weights"] is not JsonObject w)
        {
            return null;
        }

        var bits = w["num_bits"] is JsonValue b && b.TryGetValue(out int n) ? n : 0;
        var type = (w["type"] as JsonValue)?.GetValue<string>() ?? "int";
        var groupSize = w["group_size"] is JsonValue g && g.TryGetValue(out int gs) ? gs : 0;
        return (bits, type) switch
        {
            (8, "float") => Precision.Fp8,
            (8, "int") => Precision.Int8,
            (4, "float") when groupSize == 16 => Precision.Nvfp4,
            (4, "int") => Precision.Int4,
            _ => null,
        };
    }

    /// <summary>Typed access to config fields; every failure names the field.</summary>
    private sealed class Fields(JsonObject o, string origin)
    {
        public int Int(string key) => OptInt(key) ?? throw new SolInputException($"{origin}: config.json has no '{key}' (needed by the SOL model)");

        public int? OptInt(string key, bool allowZero = false)
        {
            var node = o[key];
            if (node is null)
            {
                return null;
            }

            if (node is JsonValue v && v.TryGetValue(out double d) && d == Math.Floor(d) && d is >= 0 and <= int.MaxValue)
            {
                var value = (int)d;
                return value > 0 || allowZero ? value : throw new SolInputException($"{origin}: '{key}' must be > 0 (got {value})");
            }

            throw new SolInputException($"{origin}: '{key}' must be a non-negative integer (got {node.ToJsonString()})");
        }

        public bool? OptBool(string key) => o[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out bool b) => b,
            var other => throw new SolInputException($"{origin}: '{key}' must be true or false (got {other.ToJsonString()})"),
        };

        public string? OptString(string key) => o[key] switch
        {
            null => null,
            JsonValue v when v.TryGetValue(out string? s) => s,
            var other => throw new SolInputException($"{origin}: '{key}' must be a string (got {other.ToJsonString()})"),
        };

        public JsonObject? OptObject(string key) => o[key] as JsonObject;

        public string[]? OptStringArray(string key) => o[key] switch
        {
            null => null,
            JsonArray a => a.Select(x => x is JsonValue v && v.TryGetValue(out string? s) ? s : throw new SolInputException($"{origin}: '{key}' must hold strings")).ToArray(),
            var other => throw new SolInputException($"{origin}: '{key}' must be an array (got {other.ToJsonString()})"),
        };

        public HashSet<int> OptIntArray(string key) => o[key] switch
        {
            null => new HashSet<int>(),
            JsonArray a => a.Select(x => x is JsonValue v && v.TryGetValue(out int i) ? i : throw new SolInputException($"{origin}: '{key}' must hold integers")).ToHashSet(),
            var other => throw new SolInputException($"{origin}: '{key}' must be an array (got {other.ToJsonString()})"),
        };
    }
}
