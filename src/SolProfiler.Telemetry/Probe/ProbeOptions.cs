using System.Globalization;

namespace SolProfiler.Telemetry.Probe;

/// <summary>Which OpenAI-compatible route the probe streams from.</summary>
public enum ProbeApi
{
    /// <summary><c>POST /v1/completions</c> with a <c>prompt</c>; output text in <c>choices[].text</c>.</summary>
    Completions,

    /// <summary><c>POST /v1/chat/completions</c> with one user message; output text in <c>choices[].delta.content</c>.</summary>
    Chat,
}

/// <summary>
/// One streaming request's settings. Holds where the API key comes from (an environment variable name or a file path),
/// never the key itself, so the record can be printed or logged safely.
/// </summary>
public sealed record ProbeOptions
{
    public const string DefaultPrompt = "Write a short story about a lighthouse keeper who discovers a message in a bottle.";

    /// <summary>Server base URL, e.g. <c>http://127.0.0.1:8000</c> (a trailing <c>/v1</c> is accepted).</summary>
    public required Uri Endpoint { get; init; }

    public required string Model { get; init; }

    public ProbeApi Api { get; init; } = ProbeApi.Completions;

    /// <summary>The prompt (completions) or the text of the single user message (chat).</summary>
    public string Prompt { get; init; } = DefaultPrompt;

    public int MaxTokens { get; init; } = 128;

    /// <summary>Sends <c>ignore_eos: true</c> (vLLM, SGLang, TRT-LLM extension) so the output runs to <see cref="MaxTokens"/>.</summary>
    public bool IgnoreEos { get; init; }

    /// <summary>Sends <c>min_tokens</c> (vLLM extension) when set.</summary>
    public int? MinTokens { get; init; }

    /// <summary>Whole-request limit: from sending the request to the end of the stream.</summary>
    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Name of the environment variable that holds the API key (sent as <c>Authorization: Bearer</c>).</summary>
    public string? ApiKeyEnvironmentVariable { get; init; }

    /// <summary>Path of a file whose (trimmed) content is the API key.</summary>
    public string? ApiKeyFile { get; init; }

    /// <summary>
    /// Also asks for usage on every chunk (<c>stream_options.continuous_usage_stats</c>, a vLLM extension), which gives an
    /// exact token count per chunk. Off by default: other servers may refuse the unknown field.
    /// </summary>
    public bool ContinuousUsageStats { get; init; }

    /// <summary>The full URL the request goes to.</summary>
    public Uri RequestUri => ApiUri(Api == ProbeApi.Chat ? "/chat/completions" : "/completions");

    /// <summary>The server's model list (<c>GET /v1/models</c>).</summary>
    public Uri ModelsUri => ApiUri("/models");

    private Uri ApiUri(string route)
    {
        var path = Endpoint.AbsolutePath.TrimEnd('/');
        if (!path.EndsWith("/v1", StringComparison.Ordinal))
        {
            path += "/v1";
        }

        return new UriBuilder(Endpoint) { Path = path + route, Query = "", Fragment = "" }.Uri;
    }

    /// <summary>Throws <see cref="ProbeOptionsException"/> with a one-line message for the first bad setting.</summary>
    public void Validate()
    {
        if (!Endpoint.IsAbsoluteUri || (Endpoint.Scheme != Uri.UriSchemeHttp && Endpoint.Scheme != Uri.UriSchemeHttps))
        {
            throw new ProbeOptionsException($"endpoint '{Endpoint}' is not an http:// or https:// URL");
        }

        if (string.IsNullOrWhiteSpace(Model))
        {
            throw new ProbeOptionsException("model name is empty");
        }

        if (string.IsNullOrEmpty(Prompt))
        {
            throw new ProbeOptionsException("prompt is empty");
        }

        if (MaxTokens < 1)
        {
            throw new ProbeOptionsException($"max tokens must be at least 1 (got {MaxTokens})");
        }

        if (MinTokens is { } min && (min < 0 || min > MaxTokens))
        {
            throw new ProbeOptionsException($"min tokens must be between 0 and max tokens {MaxTokens} (got {min})");
        }

        if (RequestTimeout <= TimeSpan.Zero)
        {
            throw new ProbeOptionsException("request timeout must be positive");
        }

        if (ApiKeyEnvironmentVariable is not null && ApiKeyFile is not null)
        {
            throw new ProbeOptionsException("give the API key either from an environment variable or from a file, not both");
        }
    }

    /// <summary>Parses a user-typed base URL; throws <see cref="ProbeOptionsException"/> when it is not absolute http(s).</summary>
    public static Uri ParseEndpoint(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!Uri.TryCreate(text.Trim(), UriKind.Absolute, out var uri)
            || (uri.Scheme != Uri.UriSchemeHttp && uri.Scheme != Uri.UriSchemeHttps)
            || string.IsNullOrEmpty(uri.Host))
        {
            throw new ProbeOptionsException($"endpoint '{text}' is not an http:// or https:// URL (e.g. http://127.0.0.1:8000)");
        }

        if (!string.IsNullOrEmpty(uri.UserInfo))
        {
            throw new ProbeOptionsException("endpoint must not carry credentials; use --api-key-env or --api-key-file");
        }

        return uri;
    }

    /// <summary>Parses a duration such as <c>60s</c>, <c>500ms</c>, <c>2m</c> or a bare number of seconds.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var t = text.Trim();
        var (number, scale) = t switch
        {
            _ when t.EndsWith("ms", StringComparison.OrdinalIgnoreCase) => (t[..^2], 1e-3),
            _ when t.EndsWith('s') || t.EndsWith('S') => (t[..^1], 1.0),
            _ when t.EndsWith('m') || t.EndsWith('M') => (t[..^1], 60.0),
            _ when t.EndsWith('h') || t.EndsWith('H') => (t[..^1], 3600.0),
            _ => (t, 1.0),
        };
        if (!double.TryParse(number, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            || !double.IsFinite(value) || value <= 0 || value * scale > TimeSpan.FromDays(1).TotalSeconds)
        {
            throw new ProbeOptionsException($"duration '{text}' is not a positive time such as 60s, 500ms or 2m");
        }

        return TimeSpan.FromSeconds(value * scale);
    }
}

/// <summary>A bad probe setting (URL, limits, API key source). The message is one line and never contains a key.</summary>
public sealed class ProbeOptionsException : Exception
{
    public ProbeOptionsException(string message) : base(message) { }

    public ProbeOptionsException() { }

    public ProbeOptionsException(string message, Exception inner) : base(message, inner) { }
}
