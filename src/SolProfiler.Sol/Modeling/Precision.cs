namespace SolProfiler.Sol.Modeling;

/// <summary>Number formats for weights, KV cache and activations.</summary>
public enum Precision
{
    Bf16,
    Fp16,
    Fp8,
    Int8,
    Int4,
    Nvfp4,
    Mxfp4,
    Fp32,
}

/// <summary>Which dense tensor-core peak a GEMM runs at (the catalog's <c>peakFlopsPerSecond</c> keys).</summary>
public enum MathPrecision
{
    Bf16,
    Fp16,
    Fp8,
    Int8,
    Fp4,
    Fp32,
}

public static class PrecisionFacts
{
    /// <summary>
    /// Bytes per stored element, scale tensors included. These are format definitions, not hardware numbers:
    /// NVFP4 = 4-bit E2M1 + one FP8 (E4M3) scale per 16 elements (NVIDIA, "Introducing NVFP4", 2025) = 4.5 bits;
    /// MXFP4 = 4-bit E2M1 + one E8M0 scale per 32 elements (OCP Microscaling spec v1.0) = 4.25 bits;
    /// FP8 block-scaled = one FP32 scale per 128x128 block (DeepSeek-V3 / TRT-LLM block FP8) = 8 + 32/16384 bits;
    /// INT4 = AWQ/GPTQ group 128 with an FP16 scale and a 4-bit zero point = 4 + 20/128 bits;
    /// INT8 = per-output-channel FP32 scale (SmoothQuant W8A8): below 0.1 % for any hidden size over 4k, not counted.
    /// </summary>
    public static double WeightBytesPerElement(Precision p) => p switch
    {
        Precision.Fp32 => 4.0,
        Precision.Bf16 or Precision.Fp16 => 2.0,
        Precision.Fp8 => (8.0 + (32.0 / (128 * 128))) / 8.0,
        Precision.Int8 => 1.0,
        Precision.Int4 => (4.0 + (20.0 / 128)) / 8.0,
        Precision.Nvfp4 => (4.0 + (8.0 / 16)) / 8.0,
        Precision.Mxfp4 => (4.0 + (8.0 / 32)) / 8.0,
        _ => throw new ArgumentOutOfRangeException(nameof(p), p, null),
    };

    /// <summary>
    /// Bytes per element of a KV cache or activation tensor: per-tensor scales only (FP8 KV in vLLM, SGLang, TRT-LLM),
    /// so no block overhead.
    /// </summary>
    public static double ElementBytes(Precision p) => ElementBits(p) / 8.0;

    /// <summary>Bits of the element itself (no scales): decides which math peak applies.</summary>
    public static int ElementBits(Precision p) => p switch
    {
        Precision.Fp32 => 32,
        Precision.Bf16 or Precision.Fp16 => 16,
        Precision.Fp8 or Precision.Int8 => 8,
        _ => 4,
    };

    public static bool IsValidForKv(Precision p) => p is Precision.Bf16 or Precision.Fp16 or Precision.Fp8;

    public static bool IsValidForDispatch(Precision p) => p is Precision.Bf16 or Precision.Fp16 or Precision.Fp8;

    /// <summary>Expert dispatch moves the GEMM inputs: FP8 when they are 8-bit or narrower (DeepEP's FP8 dispatch), else the 16-bit dtype.</summary>
    public static Precision DefaultDispatch(Precision activations, Precision modelDtype) =>
        ElementBits(activations) <= 8 ? Precision.Fp8 : modelDtype;

    public static bool IsValidForActivations(Precision p) => p is Precision.Fp32 or Precision.Bf16 or Precision.Fp16 or Precision.Fp8 or Precision.Int8 or Precision.Nvfp4 or Precision.Mxfp4;

    /// <summary>
    /// The tensor-core format a weight x activation GEMM executes in: the wider operand sets it
    /// (W4A16 runs at the 16-bit peak, W4A8 at the 8-bit one, W8A8 FP8 at the FP8 peak, NVFP4 W4A4 at FP4).
    /// </summary>
    public static MathPrecision MathFor(Precision weights, Precision activations)
    {
        // The operand that decides the format: activations when they are at least as wide as the weights.
        var decider = ElementBits(activations) >= ElementBits(weights) ? activations : weights;
        return ElementBits(decider) switch
        {
            32 => MathPrecision.Fp32,
            16 => decider == Precision.Fp16 ? MathPrecision.Fp16 : MathPrecision.Bf16,
            8 => decider == Precision.Int8 ? MathPrecision.Int8 : MathPrecision.Fp8,
            _ => MathPrecision.Fp4,
        };
    }

    /// <summary>Default GEMM input precision for a weight format, as serving engines run it.</summary>
    public static Precision DefaultActivations(Precision weights, Precision modelDtype) => weights switch
    {
        Precision.Fp8 => Precision.Fp8,      // W8A8 FP8 with dynamic activation scales (vLLM, SGLang, TRT-LLM)
        Precision.Int8 => Precision.Int8,    // SmoothQuant W8A8
        Precision.Nvfp4 => Precision.Nvfp4,  // W4A4 NVFP4 on Blackwell
        Precision.Fp32 => Precision.Fp32,    // fp32 checkpoints (llama.cpp F32 on a CPU) compute in fp32
        _ => modelDtype,                     // 16-bit models, and W4A16 (AWQ/GPTQ INT4, MXFP4 on Hopper)
    };

    public static string Name(Precision p) => p switch
    {
        Precision.Bf16 => "bf16",
        Precision.Fp16 => "fp16",
        Precision.Fp8 => "fp8",
        Precision.Int8 => "int8",
        Precision.Int4 => "int4",
        Precision.Nvfp4 => "nvfp4",
        Precision.Mxfp4 => "mxfp4",
        Precision.Fp32 => "fp32",
        _ => p.ToString(),
    };

    public static string Name(MathPrecision p) => p.ToString().ToLowerInvariant();
}
