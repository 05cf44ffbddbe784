namespace SolProfiler.Telemetry.Probe;

/// <summary>
/// Loads the API key named by <see cref="ProbeOptions"/>. Error messages name the variable or the file, never any of
/// its content.
/// </summary>
internal static class ApiKeySource
{
    private const int MaxKeyFileBytes = 64 * 1024;

    /// <summary>The key, or null when the options name no source.</summary>
    public static string? Resolve(ProbeOptions options)
    {
        string? key;
        string from;
        if (options.ApiKeyEnvironmentVariable is { } variable)
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
        else if (options.ApiKeyFile is { } path)
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
