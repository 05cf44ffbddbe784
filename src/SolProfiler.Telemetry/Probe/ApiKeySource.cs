namespace SolProfiler.Telemetry.Probe;

/// <summary>
/// Loads a bearer token from an environment variable or a file (the probe's and the scraper's). Error messages name
/// the variable or the file, never any of its content.
/// </summary>
public static class ApiKeySource
{
    private const int MaxKeyFileBytes = 64 * 1024;

    /// <summary>The key named by the probe's options, or null when they name no source.</summary>
    internal static string? Resolve(ProbeOptions options) => Read(options.ApiKeyEnvironmentVariable, options.ApiKeyFile);

    /// <summary>The key, or null when neither source is named; <see cref="ProbeOptionsException"/> when the source is bad.</summary>
    public static string? Read(string? environmentVariable, string? file)
    {
        string? key;
        string from;
        if (environmentVariable is not null && file is not null)
        {
            throw new ProbeOptionsException("give the API key by environment variable or by file, not both");
        }

        if (environmentVariable is { } variable)
        {
            if (string.IsNullOrWhiteSpace(variable))
            {
                throw new ProbeOptionsException("API key environment variable name is empty");
            }

            key = Environment.GetEnvironmentVariable(variable)?.Trim();
            from = $"environment variable {variable}";
            if (string.IsNullOrEmpty(key))
            {
                throw new ProbeOptionsException($"{from} is not set or is empty");
            }
        }
        else if (file is { } path)
        {
            from = $"API key file '{path}'";
            try
            {
                var info = new FileInfo(path);
                if (info.Exists && info.Length > MaxKeyFileBytes)
                {
                    throw new ProbeOptionsException($"{from} is larger than {MaxKeyFileBytes} bytes");
                }

                key = File.ReadAllText(path).Trim();
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or ArgumentException or NotSupportedException)
            {
                // IO messages name the path, not the content.
                throw new ProbeOptionsException($"cannot read {from}: {e.GetType().Name}");
            }

            if (key.Length == 0)
            {
                throw new ProbeOptionsException($"{from} is empty");
            }
        }
        else
        {
            return null;
        }

        foreach (var c in key)
        {
            if (char.IsControl(c) || c > '\x7e')
            {
                throw new ProbeOptionsException($"the key in {from} has characters an HTTP header cannot carry (control or non-ASCII)");
            }
        }

        return key;
    }
}
