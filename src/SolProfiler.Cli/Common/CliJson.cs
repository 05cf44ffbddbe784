using System.Text.Json;
using SolProfiler.Analysis;

namespace SolProfiler.Cli.Common;

/// <summary>
/// The CLI's JSON outputs, indented, with the conventions of the agent's API (<see cref="AgentJson"/>): one definition.
/// The default encoder escaped what is only unsafe inside HTML (<c>+</c> as <c>\u002B</c>), which these never are.
/// </summary>
public static class CliJson
{
    /// <summary>Every property written, nulls included (a contract whose keys are always there).</summary>
    public static JsonSerializerOptions Options => AgentJson.Indented;

    /// <summary>Null properties left out (readings where a missing value is an absent key).</summary>
    public static JsonSerializerOptions OmittingNulls { get; } = AgentJson.Create(indented: true, omitNulls: true);
}
