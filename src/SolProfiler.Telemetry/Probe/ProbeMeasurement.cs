using System.Text.Json;

namespace SolProfiler.Telemetry.Probe;

/// <summary>
/// The running measurement of one request that asked for at most <paramref name="maxTokens"/> tokens: what each
/// chunk says (usage, content, finish reason), when the content chunks came, and the <see cref="ProbeResult"/> they
/// make. One per request (<see cref="StreamingProbe"/> makes it), so not thread-safe.
/// </summary>
internal sealed class ProbeMeasurement(TimeProvider time, int maxTokens)
{
    private readonly List<double> _gaps = [];
    private long? _firstContent;
    private long? _lastContent;
    private int _countedTokens;
    private bool _allChunksCounted = true;
    private int? _usageTokens;
    private int? _promptTokens;

    public long Start { get; set; }

    public int? HttpStatus { get; set; }

    public int ContentChunks { get; private set; }

    public string? FinishReason { get; private set; }

    /// <summary>Reads one chunk; returns a failure kind and reason when the chunk is an error or unreadable.</summary>
    public (ProbeFailureKind Kind, string? Reason) OnChunk(string data, long now)
    {
        JsonDocument doc;
        try
        {
            doc = JsonDocument.Parse(data);
        }
        catch (JsonException)
        {
            return (ProbeFailureKind.MidStream, "malformed chunk (not JSON): " + ReasonText.OneLine(data, 120));
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (ProbeFailureKind.MidStream, "malformed chunk (not a JSON object): " + ReasonText.OneLine(data, 120));
            }

            // vLLM and others report a failure mid-stream as data: {"error": {...}}.
            if (root.TryGetProperty("error", out var error) && error.ValueKind is JsonValueKind.Object or JsonValueKind.String)
            {
                return (ProbeFailureKind.StreamError, "server error in stream: " + ReasonText.ErrorText(error));
            }

            int? chunkUsage = null;
            if (root.TryGetProperty("usage", out var usage) && usage.ValueKind == JsonValueKind.Object)
            {
                if (usage.TryGetProperty("completion_tokens", out var c) && c.ValueKind == JsonValueKind.Number && c.TryGetInt32(out var completion))
                {
                    chunkUsage = completion;
                    _usageTokens = completion;
                }

                if (usage.TryGetProperty("prompt_tokens", out var p) && p.ValueKind == JsonValueKind.Number && p.TryGetInt32(out var prompt))
                {
                    _promptTokens = prompt;
                }
            }

            var content = false;
            if (root.TryGetProperty("choices", out var choices) && choices.ValueKind == JsonValueKind.Array)
            {
                foreach (var choice in choices.EnumerateArray())
                {
                    if (choice.ValueKind != JsonValueKind.Object)
                    {
                        continue;
                    }

                    content |= HasText(choice, "text");
                    if (choice.TryGetProperty("delta", out var delta) && delta.ValueKind == JsonValueKind.Object)
                    {
                        content |= HasText(delta, "content") || HasText(delta, "reasoning_content") || HasText(delta, "reasoning")
                            || (delta.TryGetProperty("tool_calls", out var tools) && tools.ValueKind == JsonValueKind.Array && tools.GetArrayLength() > 0);
                    }

                    if (choice.TryGetProperty("finish_reason", out var finish) && finish.ValueKind == JsonValueKind.String)
                    {
                        FinishReason = finish.GetString();
                    }
                }
            }

            if (content)
            {
                OnContent(now, chunkUsage);
            }

            return (ProbeFailureKind.None, null);
        }
    }

    private static bool HasText(JsonElement obj, string name) =>
        obj.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String && value.GetString() is { Length: > 0 };

    private void OnContent(long now, int? chunkUsage)
    {
        // Tokens in this chunk: known only when the chunk carries cumulative usage (vLLM continuous_usage_stats,
        // or servers that send usage on every chunk); otherwise one is assumed.
        // A cumulative count over the request's max_tokens cannot be true; trusted, it would make the split below
        // add as many samples as the stream claims (2^31 from one line: OutOfMemoryException; found by fuzzing),
        // so such a chunk is taken as one of unknown count.
        var tokens = 1;
        if (chunkUsage is { } cumulative && cumulative > _countedTokens && cumulative <= maxTokens)
        {
            tokens = cumulative - _countedTokens;
        }
        else
        {
            _allChunksCounted = false;
        }

        _countedTokens += tokens;
        if (_lastContent is { } previous)
        {
            // One gap per content chunk after the first. When the chunk carries k tokens the gap is split evenly
            // into k samples of gap/k, as SGLang's bench_serving does, so the samples stay per token and their sum
            // still equals last - first content time. vLLM's `bench serve` keeps one sample per chunk instead
            // (its ITL is per chunk); we do that too when the token count of a chunk is unknown.
            var gap = Seconds(previous, now);
            for (var i = 0; i < tokens; i++)
            {
                _gaps.Add(gap / tokens);
            }
        }
        else
        {
            _firstContent = now;
        }

        _lastContent = now;
        ContentChunks++;
    }

    /// <summary>Seconds between two timestamps, without rounding to TimeSpan ticks (so gaps add up exactly).</summary>
    private double Seconds(long from, long to) => (to - from) / (double)time.TimestampFrequency;

    public ProbeResult ToResult(long now, ProbeFailureKind kind, string? reason)
    {
        var outputTokens = _usageTokens ?? _countedTokens;
        double? tpot = null;
        if (_firstContent is { } first && _lastContent is { } last && outputTokens >= 2 && ContentChunks >= 2)
        {
            tpot = Seconds(first, last) / (outputTokens - 1);
        }

        return new ProbeResult
        {
            Failure = kind,
            FailureReason = kind == ProbeFailureKind.None ? null : reason,
            HttpStatus = HttpStatus,
            TtftSeconds = _firstContent is { } f ? Seconds(Start, f) : null,
            EndToEndSeconds = _lastContent is { } l ? Seconds(Start, l) : null,
            TotalSeconds = Seconds(Start, now),
            InterTokenGapsSeconds = _gaps.ToArray(),
            TpotSeconds = tpot,
            OutputTokens = outputTokens,
            OutputTokenSource = _usageTokens is null ? TokenCountSource.ContentChunks : TokenCountSource.Usage,
            ContentChunks = ContentChunks,
            GapsPerToken = ContentChunks > 0 && _allChunksCounted,
            PromptTokens = _promptTokens,
            FinishReason = FinishReason,
        };
    }
}
