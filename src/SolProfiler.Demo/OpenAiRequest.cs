using System.Text.Json;

namespace SolProfiler.Demo;

/// <summary>The parts of an OpenAI completions or chat request the simulated server honours.</summary>
internal sealed record OpenAiRequest(string? Model, int PromptTokens, int MaxTokens, int MinTokens, bool Stream, bool IncludeUsage, bool IgnoreEos)
{
    // The newer name first: OpenAI deprecated max_tokens on chat, vLLM accepts both.
    private static readonly string[] MaxTokenNames = ["max_completion_tokens", "max_tokens"];

    /// <summary>Parses a request body; on failure returns null and a one-line message for a 400 answer.</summary>
    public static (OpenAiRequest? Request, string? Error) Parse(ReadOnlySpan<byte> body, bool chat, int defaultMaxTokens)
    {
        JsonDocument doc;
        try
        {
            var reader = new Utf8JsonReader(body);
            doc = JsonDocument.ParseValue(ref reader);
        }
        catch (JsonException e)
        {
            return (null, "request body is not valid JSON: " + e.Message);
        }

        using (doc)
        {
            var root = doc.RootElement;
            if (root.ValueKind != JsonValueKind.Object)
            {
                return (null, "request body must be a JSON object");
            }

            string? model = null;
            if (root.TryGetProperty("model", out var m))
            {
                if (m.ValueKind != JsonValueKind.String)
                {
                    return (null, "'model' must be a string");
                }

                model = m.GetString();
            }

            int promptChars;
            if (chat)
            {
                if (!root.TryGetProperty("messages", out var messages) || messages.ValueKind != JsonValueKind.Array || messages.GetArrayLength() == 0)
                {
                    return (null, "'messages' must be a non-empty array");
                }

                promptChars = 0;
                foreach (var message in messages.EnumerateArray())
                {
                    if (message.ValueKind != JsonValueKind.Object || !message.TryGetProperty("content", out var content))
                    {
                        return (null, "each message must be an object with 'content'");
                    }

                    promptChars += content.ValueKind == JsonValueKind.String ? content.GetString()!.Length : content.GetRawText().Length;
                }
            }
            else
            {
                if (!root.TryGetProperty("prompt", out var prompt) || prompt.ValueKind is not (JsonValueKind.String or JsonValueKind.Array))
                {
                    return (null, "'prompt' must be a string or an array");
                }

                promptChars = prompt.ValueKind == JsonValueKind.String ? prompt.GetString()!.Length : prompt.GetRawText().Length;
            }

            var maxTokens = defaultMaxTokens;
            foreach (var name in MaxTokenNames)
            {
                if (root.TryGetProperty(name, out var value) && value.ValueKind != JsonValueKind.Null)
                {
                    if (value.ValueKind != JsonValueKind.Number || !value.TryGetInt32(out maxTokens) || maxTokens < 1)
                    {
                        return (null, $"'{name}' must be a positive integer");
                    }

                    break;
                }
            }

            var minTokens = 0;
            if (root.TryGetProperty("min_tokens", out var min) && min.ValueKind != JsonValueKind.Null
                && (min.ValueKind != JsonValueKind.Number || !min.TryGetInt32(out minTokens) || minTokens < 0 || minTokens > maxTokens))
            {
                return (null, $"'min_tokens' must be an integer between 0 and max_tokens {maxTokens}");
            }

            if (!Bool(root, "stream", out var stream) || !Bool(root, "ignore_eos", out var ignoreEos))
            {
                return (null, "'stream' and 'ignore_eos' must be booleans");
            }

            var includeUsage = false;
            if (root.TryGetProperty("stream_options", out var options) && options.ValueKind == JsonValueKind.Object && !Bool(options, "include_usage", out includeUsage))
            {
                return (null, "'stream_options.include_usage' must be a boolean");
            }

            // About four characters per token, as tokenizers of English text give; at least one token.
            return (new OpenAiRequest(model, Math.Max(1, promptChars / 4), maxTokens, minTokens, stream, includeUsage, ignoreEos), null);
        }
    }

    private static bool Bool(JsonElement obj, string name, out bool value)
    {
        value = false;
        if (!obj.TryGetProperty(name, out var element) || element.ValueKind == JsonValueKind.Null)
        {
            return true;
        }

        if (element.ValueKind is JsonValueKind.True or JsonValueKind.False)
        {
            value = element.GetBoolean();
            return true;
        }

        return false;
    }
}
