namespace SolProfiler.Sol.Modeling;

/// <summary>What one engine step carries besides one decode position per running sequence.</summary>
/// <param name="PrefillTokens">
/// Prompt tokens computed in the same step (chunked prefill), a mean over steps, so it may be fractional; prefix-cache
/// hits are not computed and do not count. 0 is a decode-only step.
/// </param>
/// <param name="DraftTokens">
/// Speculative draft positions per sequence scored by the verify step (a measured mean, may be fractional); null keeps
/// the configuration's <see cref="SpeculativeDecoding.DraftTokens"/> (0 without speculative decoding).
/// </param>
/// <param name="EmittedTokensPerSequence">
/// Tokens each sequence emits per step (accepted drafts + 1, between 1 and draft + 1); null keeps the configuration's
/// <see cref="SpeculativeDecoding.MeanAcceptedLength"/> (1 without speculative decoding).
/// </param>
public readonly record struct StepLoad(double PrefillTokens = 0, double? DraftTokens = null, double? EmittedTokensPerSequence = null);
