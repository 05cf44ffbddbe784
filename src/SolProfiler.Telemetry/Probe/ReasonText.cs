using System.Text;
using System.Text.Json;

namespace SolProfiler.Telemetry.Probe;

/// <summary>
/// How a failure is worded for a reason text: on one line and cut to length, an exception with its inner message,
/// the start of a failed response's body, the message of an OpenAI-style error payload.
/// </summary>
internal static class ReasonText
{
    private const int BodyExcerptBytes = 2048;
    private const int BodyExcerptChars = 200;

    public static string Message(Exception e) =>
        e.InnerException is { } inner && inner.Message != e.Message ? $"{e.Message} ({inner.Message})" : e.Message;

    public static string OneLine(string text, int maxLength)
    {
        var sb = new StringBuilder(Math.Min(text.Length, maxLength + 1));
        var space = false;
        foreach (var c in text)
        {
            if (char.IsWhiteSpace(c) || char.IsControl(c))
            {
                space = sb.Length > 0;
                continue;
            }

            if (space)
            {
                sb.Append(' ');
                space = false;
            }

            sb.Append(c);
            if (sb.Length >= maxLength)
            {
                sb.Length = maxLength - 1;
                sb.Append('…');
                break;
            }
        }

        return sb.ToString();
    }

    public static async Task<string> ReadExcerptAsync(HttpContent content, CancellationToken token)
    {
        var stream = await content.ReadAsStreamAsync(token).ConfigureAwait(false);
        await using (stream.ConfigureAwait(false))
        {
            var buffer = new byte[BodyExcerptBytes];
            var total = 0;
            int read;
            while (total < buffer.Length && (read = await stream.ReadAsync(buffer.AsMemory(total), token).ConfigureAwait(false)) > 0)
            {
                total += read;
            }

            var text = OneLine(Encoding.UTF8.GetString(buffer, 0, total), BodyExcerptChars);
            return text.Length == 0 ? "(empty body)" : text;
        }
    }

    /// <summary>The message of an OpenAI-style error payload (<c>{"error": {"message": …}}</c>, <c>{"message": …}</c>), else the raw text.</summary>
    public static string ErrorText(string data)
    {
        try
        {
            using var doc = JsonDocument.Parse(data);
            return ErrorText(doc.RootElement);
        }
        catch (JsonException)
        {
            return data;
        }
    }

    public static string ErrorText(JsonElement e)
    {
        switch (e.ValueKind)
        {
            case JsonValueKind.String:
                return e.GetString() ?? "";
            case JsonValueKind.Object:
                if (e.TryGetProperty("error", out var inner) && inner.ValueKind is JsonValueKind.Object or JsonValueKind.String)
                {
                    return ErrorText(inner);
                }

                var message = e.TryGetProperty("message", out var m) && m.ValueKind == JsonValueKind.String ? m.GetString() : null;
                var code = e.TryGetProperty("code", out var c) && c.ValueKind is JsonValueKind.Number or JsonValueKind.String ? c.ToString() : null;
                if (message is not null)
                {
                    return code is null ? message : $"{message} (code {code})";
                }

                return e.GetRawText();
            default:
                return e.GetRawText();
        }
    }
}
