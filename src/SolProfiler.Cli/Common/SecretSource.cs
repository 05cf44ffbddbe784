using SolProfiler.Sol;

namespace SolProfiler.Cli.Common;

/// <summary>Reads an API key from an environment variable or a file. The key itself never appears in a message.</summary>
public static class SecretSource
{
    public static string? Read(string? environmentVariable, string? file)
    {
        if (environmentVariable is not null && file is not null)
        {
            throw new SolInputException("give the API key by environment variable or by file, not both");
        }

        if (environmentVariable is not null)
        {
            var value = Environment.GetEnvironmentVariable(environmentVariable);
            return string.IsNullOrWhiteSpace(value)
                ? throw new SolInputException($"environment variable {environmentVariable} (API key) is not set")
                : value.Trim();
        }

        if (file is not null)
        {
            try
            {
                var value = File.ReadAllText(file).Trim();
                return value.Length > 0 ? value : throw new SolInputException($"API key file {file} is empty");
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                throw new SolInputException($"cannot read API key file {file} ({e.GetType().Name})", e);
            }
        }

        return null;
    }
}
