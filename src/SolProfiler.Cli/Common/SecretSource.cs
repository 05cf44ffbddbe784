using SolProfiler.Sol;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Cli.Common;

/// <summary>Reads an API key for a command from an environment variable or a file; problems are user errors naming the source, never the key.</summary>
public static class SecretSource
{
    public static string? Read(string? environmentVariable, string? file)
    {
        try
        {
            return ApiKeySource.Read(environmentVariable, file);
        }
        catch (ProbeOptionsException e)
        {
            throw new SolInputException(e.Message, e);
        }
    }
}
