using System.Text.Json;

namespace SolProfiler.Telemetry.Probe;

/// <summary>
/// The JSON body of a probe's request, built once per probe from its options: the model, the prompt (as a chat
/// message or a completion prompt), max_tokens, streaming with usage, and the optional knobs. No key in it.
/// </summary>
internal static class ProbeRequestBody
{
    public static byte[] Build(ProbeOptions o)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("model", o.Model);
            if (o.Api == ProbeApi.Chat)
            {
                w.WriteStartArray("messages");
                w.WriteStartObject();
                w.WriteString("role", "user");
                w.WriteString("content", o.Prompt);
                w.WriteEndObject();
                w.WriteEndArray();
            }
            else
            {
                w.WriteString("prompt", o.Prompt);
            }

            // max_tokens rather than max_completion_tokens: every server in serving-metrics §11 accepts it on both routes.
            w.WriteNumber("max_tokens", o.MaxTokens);
            w.WriteBoolean("stream", true);
            w.WriteStartObject("stream_options");
            w.WriteBoolean("include_usage", true);
            if (o.ContinuousUsageStats)
            {
                w.WriteBoolean("continuous_usage_stats", true);
            }

            w.WriteEndObject();
            if (o.IgnoreEos)
            {
                w.WriteBoolean("ignore_eos", true);
            }

            if (o.MinTokens is { } min)
            {
                w.WriteNumber("min_tokens", min);
            }

            w.WriteEndObject();
        }

        return buffer.ToArray();
    }
}
