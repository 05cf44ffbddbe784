namespace SolProfiler.Telemetry.Serving;

/// <summary>
/// What a server's slot endpoint said at one read (llama.cpp <c>GET /slots</c>): one entry per slot. Read at its own
/// time, which a rate over two reads must use rather than the metrics scrape's.
/// </summary>
public sealed record ServingSlots(DateTimeOffset ReadAt, IReadOnlyList<SlotState> Slots);

/// <summary>
/// One slot (one sequence position of the continuous batch) as the server reports it.
/// </summary>
/// <param name="Id">The slot's index.</param>
/// <param name="Task">The request (task) the slot is serving, when it is processing one.</param>
/// <param name="Processing">Whether the slot holds a request (prompt or generation phase).</param>
/// <param name="PromptTokens">Tokens of the request's prompt held in the slot's context.</param>
/// <param name="DecodedTokens">Tokens generated so far for the request.</param>
public readonly record struct SlotState(int Id, long? Task, bool Processing, double PromptTokens, double DecodedTokens)
{
    /// <summary>Tokens in the slot's KV cache: prompt plus generated.</summary>
    public double ContextTokens => PromptTokens + DecodedTokens;
}
