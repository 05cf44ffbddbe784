using Microsoft.Extensions.Configuration;

namespace SolProfiler.Agent.Configuration;

/// <summary>
/// What <c>--demo</c> adds to the agent's configuration, given by the component that simulates the deployment (the
/// host does not know it): the simulated deployment's defaults, layered under every other layer, and the demo's own
/// section of settings, whose keys are checked and bound with the agent's.
/// </summary>
/// <param name="Defaults">Agent keys the demo sets unless the user does (its model, TP, precisions, a loopback address).</param>
/// <param name="Section">The configuration section the demo's settings live in (<c>demoSettings</c>).</param>
/// <param name="Shape">The keys that section takes.</param>
/// <param name="Bind">Binds that section into the demo's settings (given by the demo's composer, which knows their type,
/// so the binder is source-generated there); its flag says whether an unknown key is an error.</param>
/// <param name="DurationKeys">Keys of that section that take durations (<c>30s</c>), relative to it.</param>
public sealed record DemoConfiguration(
    IEnumerable<KeyValuePair<string, string?>> Defaults,
    string Section,
    SettingsShape Shape,
    Action<IConfiguration, bool> Bind,
    IReadOnlyList<string> DurationKeys);
