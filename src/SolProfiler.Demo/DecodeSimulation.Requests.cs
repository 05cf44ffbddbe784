namespace SolProfiler.Demo;

/// <summary>The simulation's two kinds of request in the engine: a decoding sequence and a request computing its prompt.</summary>
internal sealed partial class DecodeSimulation
{
    /// <summary>A decoding sequence: it finishes when the token clock reaches StartClock + MaxTokens - 1 (its first token came from its prompt's step).</summary>
    private readonly record struct Sequence(int PromptTokens, int MaxTokens, long StartClock, double ArrivalSeconds, double FirstTokenSeconds, ExternalRequest? External);

    /// <summary>A request computing its prompt: tokens still to compute, and the chunk scheduled in the running step.</summary>
    private sealed class Prefill(int promptTokens, int maxTokens, double arrivalSeconds, ExternalRequest? external)
    {
        public int PromptTokens { get; } = promptTokens;

        public int MaxTokens { get; } = maxTokens;

        public double ArrivalSeconds { get; } = arrivalSeconds;

        public ExternalRequest? External { get; } = external;

        public int Remaining { get; set; }

        public int Chunk { get; set; }
    }
}
