using System.Threading.Channels;

namespace SolProfiler.Demo;

/// <summary>One token of an external request: its 0-based position and the simulation time (seconds) it was produced.</summary>
internal readonly record struct TokenEvent(int Position, double AtSeconds, bool Last);

/// <summary>
/// An API request decoding inside the simulated batch. The simulation writes its tokens into <see cref="Tokens"/> at
/// each step end; the HTTP handler reads them and streams them out.
/// </summary>
internal sealed class ExternalRequest(int promptTokens, int maxTokens, double arrivalSeconds)
{
    private readonly Channel<TokenEvent> _tokens = Channel.CreateUnbounded<TokenEvent>(new UnboundedChannelOptions { SingleReader = true, SingleWriter = true });

    public int PromptTokens { get; } = promptTokens;

    public int MaxTokens { get; } = maxTokens;

    public double ArrivalSeconds { get; } = arrivalSeconds;

    /// <summary>Tokens produced so far (touched only under the simulation's lock).</summary>
    public int Generated { get; set; }

    /// <summary>Set when the client went away; the simulation drops the request at its next step.</summary>
    public bool Aborted { get; set; }

    public ChannelReader<TokenEvent> Tokens => _tokens.Reader;

    public void Emit(double atSeconds)
    {
        var last = Generated == MaxTokens;
        _tokens.Writer.TryWrite(new TokenEvent(Generated - 1, atSeconds, last));
        if (last)
        {
            _tokens.Writer.TryComplete();
        }
    }

    public void Close() => _tokens.Writer.TryComplete();
}
