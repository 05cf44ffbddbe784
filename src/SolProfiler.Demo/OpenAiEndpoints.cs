using System.Buffers;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace SolProfiler.Demo;

/// <summary>
/// The OpenAI-compatible routes of the simulated server: <c>GET /v1/models</c>, <c>POST /v1/completions</c> and
/// <c>POST /v1/chat/completions</c>, streaming (SSE, one chunk per token, then <c>[DONE]</c>) or not. Tokens leave when
/// the simulated step that produced them ends, so a client measures the simulated inter-token latency.
/// </summary>
internal static class OpenAiEndpoints
{
    private const int MaxBodyBytes = 1 << 20;

    // A fixed cycle of words: the text carries no meaning, only tokens to time.
    private static readonly string[] Words = [" The", " keeper", " climbed", " the", " stairs", " and", " lit", " a", " lamp", "."];

    public static void Map(WebApplication app, SimulatedInferenceServer server, ILogger logger)
    {
        app.MapGet("/v1/models", (HttpContext context) => WriteJsonAsync(context, 200, w =>
        {
            w.WriteString("object", "list");
            w.WriteStartArray("data");
            w.WriteStartObject();
            w.WriteString("id", server.ModelName);
            w.WriteString("object", "model");
            w.WriteNumber("created", server.CreatedUnixSeconds);
            w.WriteString("owned_by", "solprof-demo");
            w.WriteNumber("max_model_len", server.Options.PromptTokens + server.Options.OutputTokens);
            w.WriteEndObject();
            w.WriteEndArray();
        }));
        app.MapPost("/v1/completions", (HttpContext context) => HandleAsync(context, server, logger, chat: false));
        app.MapPost("/v1/chat/completions", (HttpContext context) => HandleAsync(context, server, logger, chat: true));
    }

    private static async Task HandleAsync(HttpContext context, SimulatedInferenceServer server, ILogger logger, bool chat)
    {
        var ct = context.RequestAborted;
        var body = await ReadBodyAsync(context.Request, ct);
        if (body is null)
        {
            await ErrorAsync(context, logger, 413, "BadRequestError", $"request body over {MaxBodyBytes} bytes");
            return;
        }

        var (request, error) = OpenAiRequest.Parse(body, chat, server.Options.OutputTokens);
        if (request is null)
        {
            await ErrorAsync(context, logger, 400, "BadRequestError", error!);
            return;
        }

        if (request.Model is not null && !string.Equals(request.Model, server.ModelName, StringComparison.Ordinal))
        {
            await ErrorAsync(context, logger, 404, "NotFoundError", $"The model `{request.Model}` does not exist.");
            return;
        }

        var id = (chat ? "chatcmpl-" : "cmpl-") + Guid.NewGuid().ToString("N");
        var created = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var external = server.Submit(request.PromptTokens, request.MaxTokens);
        var finished = false;
        try
        {
            if (request.Stream)
            {
                await StreamAsync(context, server, request, external, id, created, chat, ct);
            }
            else
            {
                await foreach (var _ in external.Tokens.ReadAllAsync(ct))
                {
                }

                if (external.Aborted)
                {
                    context.Abort(); // the server is going away mid-request: the connection drops, as a killed process's would
                    return;
                }

                await WriteJsonAsync(context, 200, w => WriteFull(w, server.ModelName, request, id, created, chat));
            }

            finished = true;
        }
        catch (OperationCanceledException) when (ct.IsCancellationRequested)
        {
            // The client went away; the finally block takes its sequence out of the batch.
        }
        finally
        {
            if (!finished)
            {
                server.Abort(external);
            }
        }
    }

    private static async Task StreamAsync(HttpContext context, SimulatedInferenceServer server, OpenAiRequest request, ExternalRequest external, string id, long created, bool chat, CancellationToken ct)
    {
        var response = context.Response;
        response.StatusCode = 200;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        var buffer = new ArrayBufferWriter<byte>(512);
        if (chat)
        {
            // vLLM's first chat chunk names the role and carries no text.
            await SendAsync(response, buffer, w => Chunk(w, server.ModelName, id, created, chat, role: true, text: "", finish: null), ct);
        }

        await foreach (var token in external.Tokens.ReadAllAsync(ct))
        {
            var text = Words[token.Position % Words.Length];
            await SendAsync(response, buffer, w => Chunk(w, server.ModelName, id, created, chat, role: false, text, token.Last ? "length" : null), ct);
        }

        if (external.Aborted)
        {
            context.Abort(); // ended by the server's shutdown: the stream breaks, no [DONE]
            return;
        }

        if (request.IncludeUsage)
        {
            await SendAsync(response, buffer, w =>
            {
                w.WriteString("id", id);
                w.WriteString("object", chat ? "chat.completion.chunk" : "text_completion");
                w.WriteNumber("created", created);
                w.WriteString("model", server.ModelName);
                w.WriteStartArray("choices");
                w.WriteEndArray();
                Usage(w, request);
            }, ct);
        }

        await response.Body.WriteAsync("data: [DONE]\n\n"u8.ToArray(), ct);
        await response.Body.FlushAsync(ct);
    }

    /// <summary>The fields every completion object starts with, up to the open first choice.</summary>
    private static void StartChoice(Utf8JsonWriter w, string id, string objectName, long created, string model)
    {
        w.WriteString("id", id);
        w.WriteString("object", objectName);
        w.WriteNumber("created", created);
        w.WriteString("model", model);
        w.WriteStartArray("choices");
        w.WriteStartObject();
        w.WriteNumber("index", 0);
    }

    private static void Chunk(Utf8JsonWriter w, string model, string id, long created, bool chat, bool role, string text, string? finish)
    {
        StartChoice(w, id, chat ? "chat.completion.chunk" : "text_completion", created, model);
        if (chat)
        {
            w.WriteStartObject("delta");
            if (role)
            {
                w.WriteString("role", "assistant");
            }

            w.WriteString("content", text);
            w.WriteEndObject();
        }
        else
        {
            w.WriteString("text", text);
        }

        w.WriteNull("logprobs");
        if (finish is null)
        {
            w.WriteNull("finish_reason");
        }
        else
        {
            w.WriteString("finish_reason", finish);
        }

        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteNull("usage");
    }

    private static void WriteFull(Utf8JsonWriter w, string model, OpenAiRequest request, string id, long created, bool chat)
    {
        var text = new StringBuilder();
        for (var i = 0; i < request.MaxTokens; i++)
        {
            text.Append(Words[i % Words.Length]);
        }

        StartChoice(w, id, chat ? "chat.completion" : "text_completion", created, model);
        if (chat)
        {
            w.WriteStartObject("message");
            w.WriteString("role", "assistant");
            w.WriteString("content", text.ToString());
            w.WriteEndObject();
        }
        else
        {
            w.WriteString("text", text.ToString());
        }

        w.WriteNull("logprobs");
        w.WriteString("finish_reason", "length");
        w.WriteEndObject();
        w.WriteEndArray();
        Usage(w, request);
    }

    private static void Usage(Utf8JsonWriter w, OpenAiRequest request)
    {
        w.WriteStartObject("usage");
        w.WriteNumber("prompt_tokens", request.PromptTokens);
        w.WriteNumber("completion_tokens", request.MaxTokens);
        w.WriteNumber("total_tokens", request.PromptTokens + request.MaxTokens);
        w.WriteEndObject();
    }

    private static async Task SendAsync(HttpResponse response, ArrayBufferWriter<byte> buffer, Action<Utf8JsonWriter> body, CancellationToken ct)
    {
        buffer.ResetWrittenCount();
        buffer.Write("data: "u8);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        buffer.Write("\n\n"u8);
        await response.Body.WriteAsync(buffer.WrittenMemory, ct);
        await response.Body.FlushAsync(ct);
    }

    private static async Task WriteJsonAsync(HttpContext context, int status, Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(512);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }

        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        await context.Response.Body.WriteAsync(buffer.WrittenMemory, context.RequestAborted);
    }

    /// <summary>An OpenAI-style error body, as vLLM answers: {"error": {"message", "type", "param", "code"}}.</summary>
    private static Task ErrorAsync(HttpContext context, ILogger logger, int status, string type, string message)
    {
        DemoLog.RequestRejected(logger, message);
        return WriteJsonAsync(context, status, w =>
        {
            w.WriteStartObject("error");
            w.WriteString("message", message);
            w.WriteString("type", type);
            w.WriteNull("param");
            w.WriteNumber("code", status);
            w.WriteEndObject();
        });
    }

    private static async Task<byte[]?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
    {
        using var copy = new MemoryStream();
        var chunk = new byte[16384];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (copy.Length + read > MaxBodyBytes)
            {
                return null;
            }

            copy.Write(chunk, 0, read);
        }

        return copy.ToArray();
    }
}
