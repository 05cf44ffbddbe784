using System.Buffers;
using System.Net.Sockets;
using System.Text.Json;

namespace SolProfiler.Telemetry.Serving.Scraping;

/// <summary>What one read of <c>/slots</c> gave: the slots, or a one-line reason there are none.</summary>
public readonly record struct SlotsRead(ServingSlots? Slots, string? Problem);

/// <summary>
/// Reads llama.cpp's <c>GET /slots</c> (same scheme, host and port as its <c>/metrics</c>, same API key) into
/// <see cref="ServingSlots"/>. Parsed with <see cref="Utf8JsonReader"/> over a bounded buffer: no reflection, and a
/// slot's large <c>params</c> object is skipped, not materialised. Never throws but for the caller's cancellation:
/// a failure (501 when the server runs with <c>--no-slots</c>, timeout, oversized or malformed body) is a null with
/// a reason.
/// <para>
/// Fields, as llama-server (commit 3f545be) writes them: every slot has <c>id</c>, <c>n_ctx</c>,
/// <c>speculative</c>, <c>is_processing</c>; a slot that has served a request also has <c>id_task</c>,
/// <c>n_prompt_tokens</c>, <c>params</c> and <c>next_token[0].n_decoded</c>, which stay there after it finishes.
/// <c>n_prompt_tokens</c> counts the tokens in the slot's cache, which grows by each generated token (a busy slot
/// with a 6-token prompt showed <c>n_prompt_tokens</c> 63 at <c>n_decoded</c> 57), so the prompt part is the
/// difference. A slot that is not processing serves no request: no task, no tokens.
/// </para>
/// </summary>
public static class SlotsReader
{
    /// <summary>Largest body read: a slot is about 1.2 KB, so this holds thousands.</summary>
    public const int DefaultMaxBytes = 4 << 20;

    /// <summary>The <c>/slots</c> URL beside a metrics URL: same scheme, host and port; no user-info, query or fragment.</summary>
    public static Uri SlotsUri(Uri metricsUrl)
    {
        ArgumentNullException.ThrowIfNull(metricsUrl);
        return new UriBuilder(metricsUrl.Scheme, metricsUrl.Host, metricsUrl.Port, "/slots").Uri;
    }

    public static async Task<SlotsRead> ReadAsync(HttpClient http, Uri metricsUrl, TimeSpan timeout, string? apiKey, TimeProvider? timeProvider = null, int maxBytes = DefaultMaxBytes, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(http);
        var time = timeProvider ?? TimeProvider.System;
        var url = SlotsUri(metricsUrl);
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        try
        {
            using var request = Http.ServerRequests.Get(url, "application/json", apiKey);

            using var response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, deadline.Token).ConfigureAwait(false);
            var readAt = time.GetUtcNow(); // the slots' own time: when the server answered, not when the metrics scrape began
            if (!response.IsSuccessStatusCode)
            {
                var hint = (int)response.StatusCode is 501 or 404 ? " (started with --no-slots?)" : "";
                return Fail($"{url} answered HTTP {(int)response.StatusCode}{hint}", apiKey);
            }

            if (response.Content.Headers.ContentLength > maxBytes)
            {
                return Fail($"{url} body of {response.Content.Headers.ContentLength} bytes exceeds the {maxBytes} byte limit", apiKey);
            }

            var stream = await response.Content.ReadAsStreamAsync(deadline.Token).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                var buffer = ArrayPool<byte>.Shared.Rent(64 * 1024);
                try
                {
                    var length = 0;
                    while (true)
                    {
                        if (length == buffer.Length)
                        {
                            if (buffer.Length > maxBytes)
                            {
                                return Fail($"{url} body exceeds the {maxBytes} byte limit", apiKey);
                            }

                            var larger = ArrayPool<byte>.Shared.Rent(buffer.Length * 2);
                            buffer.AsSpan(0, length).CopyTo(larger);
                            ArrayPool<byte>.Shared.Return(buffer);
                            buffer = larger;
                        }

                        var n = await stream.ReadAsync(buffer.AsMemory(length), deadline.Token).ConfigureAwait(false);
                        if (n == 0)
                        {
                            break;
                        }

                        length += n;
                    }

                    if (length > maxBytes)
                    {
                        return Fail($"{url} body exceeds the {maxBytes} byte limit", apiKey);
                    }

                    var parsed = Parse(buffer.AsSpan(0, length), readAt);
                    return parsed.Problem is null ? parsed : Fail($"{url}: {parsed.Problem}", apiKey);
                }
                finally
                {
                    ArrayPool<byte>.Shared.Return(buffer);
                }
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return Fail($"no answer from {url} within {timeout.TotalSeconds:0.###} s", apiKey);
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException s)
        {
            return Fail($"cannot connect to {url}: {s.Message}", apiKey);
        }
        catch (Exception e) when (e is HttpRequestException or IOException)
        {
            return Fail($"reading {url} failed: {e.Message}", apiKey);
        }
    }

    /// <summary>Parses a <c>/slots</c> body: a JSON array of slot objects. A body of another shape is a reason, not an exception.</summary>
    public static SlotsRead Parse(ReadOnlySpan<byte> body, DateTimeOffset readAt)
    {
        if (body.Trim(" \t\r\n"u8).IsEmpty)
        {
            return new SlotsRead(null, "empty body");
        }

        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow, MaxDepth = 64 });
        try
        {
            if (!reader.Read() || reader.TokenType != JsonTokenType.StartArray)
            {
                return new SlotsRead(null, "not a JSON array of slots");
            }

            var slots = new List<SlotState>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    return new SlotsRead(null, "a slot that is not a JSON object");
                }

                if (ReadSlot(ref reader) is not { } slot)
                {
                    return new SlotsRead(null, "a slot without an integer id or a boolean is_processing");
                }

                slots.Add(slot);
            }

            if (reader.TokenType != JsonTokenType.EndArray || reader.Read())
            {
                return new SlotsRead(null, "truncated or trailing data after the slots");
            }

            return new SlotsRead(new ServingSlots(readAt, slots), null);
        }
        catch (JsonException e)
        {
            return new SlotsRead(null, $"malformed JSON at byte {reader.BytesConsumed}: {e.Message.Split('.')[0]}");
        }
    }

    /// <summary>One slot object, the reader on its StartObject; leaves it on the EndObject. Null when id or is_processing is missing.</summary>
    private static SlotState? ReadSlot(ref Utf8JsonReader reader)
    {
        int? id = null;
        long? task = null;
        bool? processing = null;
        double contextTokens = 0;
        double decoded = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (reader.ValueTextEquals("id"u8))
            {
                reader.Read();
                id = reader.TokenType == JsonTokenType.Number && reader.TryGetInt32(out var v) ? v : null;
            }
            else if (reader.ValueTextEquals("id_task"u8))
            {
                reader.Read();
                task = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out var v) && v >= 0 ? v : null;
            }
            else if (reader.ValueTextEquals("is_processing"u8))
            {
                reader.Read();
                processing = reader.TokenType switch
                {
                    JsonTokenType.True => true,
                    JsonTokenType.False => false,
                    _ => null,
                };
            }
            else if (reader.ValueTextEquals("n_prompt_tokens"u8))
            {
                reader.Read();
                contextTokens = Count(ref reader);
            }
            else if (reader.ValueTextEquals("next_token"u8))
            {
                reader.Read();
                decoded = FirstDecoded(ref reader);
            }
            else
            {
                reader.Read();
                reader.Skip(); // params, n_ctx, speculative, ...: the whole value, however nested
            }
        }

        if (id is not { } slotId || processing is not { } busy)
        {
            return null;
        }

        // Finished slots keep their last task's numbers; they hold no request now.
        return busy
            ? new SlotState(slotId, task, true, Math.Max(0, contextTokens - decoded), decoded)
            : new SlotState(slotId, null, false, 0, 0);
    }

    /// <summary><c>next_token</c>: an array whose first object has <c>n_decoded</c> (llama.cpp keeps one entry per slot).</summary>
    private static double FirstDecoded(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return 0;
        }

        double decoded = 0;
        var first = true;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (first && reader.TokenType == JsonTokenType.StartObject)
            {
                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    var isDecoded = reader.ValueTextEquals("n_decoded"u8);
                    reader.Read();
                    if (isDecoded)
                    {
                        decoded = Count(ref reader);
                    }
                    else
                    {
                        reader.Skip();
                    }
                }
            }
            else
            {
                reader.Skip();
            }

            first = false;
        }

        return decoded;
    }

    /// <summary>A non-negative token count, else 0 (a negative or non-number value says nothing).</summary>
    private static double Count(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.Number)
        {
            reader.Skip();
            return 0;
        }

        return reader.TryGetDouble(out var v) && double.IsFinite(v) && v >= 0 ? v : 0;
    }

    private static SlotsRead Fail(string reason, string? apiKey) =>
        new(null, Probe.ReasonText.OneLine(KeyRedaction.Redact(reason, apiKey), 200));
}
