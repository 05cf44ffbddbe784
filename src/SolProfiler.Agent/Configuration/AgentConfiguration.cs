using System.Globalization;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using SolProfiler.Sol;
using SolProfiler.Telemetry.Probe;

namespace SolProfiler.Agent.Configuration;

/// <summary>
/// Builds the agent's options from, in increasing precedence: the demo's defaults (only when <c>demo</c> is true in
/// any layer), a config file (YAML or JSON, by extension), <c>SOLPROF__</c> environment variables
/// (<c>SOLPROF__SERVING__URL</c> is <c>serving:url</c>), and the command-line flags. Durations are written as <c>30s</c>, <c>500ms</c>, <c>2m</c> (or hh:mm:ss). The result is validated; every
/// problem is reported at once, naming its key.
/// </summary>
public static class AgentConfiguration
{
    public const string EnvironmentPrefix = "SOLPROF__";

    private static readonly string[] DurationKeys = ["window", "sampleInterval", "serving:interval", "serving:timeout", "gpuSource:timeout"];

    /// <param name="demo">What <c>--demo</c> adds (its defaults and its section); null where the host has no demo.</param>
    public static AgentOptions Load(string? configFile, IReadOnlyDictionary<string, string?> flags, IDictionary<string, string?>? environment = null, DemoConfiguration? demo = null)
    {
        ArgumentNullException.ThrowIfNull(flags);
        var config = Layers(configFile, flags, environment, demoDefaults: null);
        if (IsTrue(config["demo"]))
        {
            // The demo's defaults sit under every other layer, so a file, a variable or a flag still overrides them.
            config = Layers(configFile, flags, environment, demo?.Defaults ?? throw new AgentConfigurationException("demo: this host has no demo (run it with solprof agent --demo)"));
        }

        var options = Bind(config, demo);
        var result = new AgentOptionsValidator().Validate(Options.DefaultName, options);
        if (result.Failed)
        {
            throw new AgentConfigurationException("invalid configuration:\n  " + string.Join("\n  ", result.Failures));
        }

        return options;
    }

    private static bool IsTrue(string? value) => bool.TryParse(value, out var b) && b;

    private static IConfigurationRoot Layers(string? configFile, IReadOnlyDictionary<string, string?> flags, IDictionary<string, string?>? environment, IEnumerable<KeyValuePair<string, string?>>? demoDefaults)
    {
        var builder = new ConfigurationBuilder();
        if (demoDefaults is not null)
        {
            builder.AddInMemoryCollection(demoDefaults);
        }

        if (configFile is not null)
        {
            if (!File.Exists(configFile))
            {
                throw new AgentConfigurationException($"config file '{configFile}' does not exist");
            }

            builder.AddInMemoryCollection(Flatten(ReadFile(configFile)));
        }

        if (environment is null)
        {
            builder.AddEnvironmentVariables(EnvironmentPrefix);
        }
        else
        {
            builder.AddInMemoryCollection(environment
                .Where(kv => kv.Key.StartsWith(EnvironmentPrefix, StringComparison.OrdinalIgnoreCase))
                .Select(kv => new KeyValuePair<string, string?>(kv.Key[EnvironmentPrefix.Length..].Replace("__", ":", StringComparison.Ordinal), kv.Value)));
        }

        builder.AddInMemoryCollection(flags);
        return builder.Build();
    }

    private static JsonNode ReadFile(string path)
    {
        try
        {
            return StructuredFileReader.Read(path);
        }
        catch (SolInputException e)
        {
            throw new AgentConfigurationException(e.Message, e);
        }
    }

    private static AgentOptions Bind(IConfiguration config, DemoConfiguration? demo)
    {
        var durations = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        var errors = new List<string>();
        var durationKeys = demo is null ? DurationKeys : [.. DurationKeys, .. demo.DurationKeys.Select(k => demo.Section + ":" + k)];
        foreach (var key in durationKeys)
        {
            if (config[key] is { } text)
            {
                try
                {
                    durations[key] = ParseDuration(text).ToString("c", CultureInfo.InvariantCulture);
                }
                catch (ProbeOptionsException e)
                {
                    errors.Add($"{key}: {e.Message}");
                }
            }
        }

        Dictionary<string, SettingsShape>? sections = demo is null ? null : new(StringComparer.OrdinalIgnoreCase) { [demo.Section] = demo.Shape };
        var unknown = UnknownKeys.Find(config, UnknownKeys.Agent, sections);
        var demoSection = demo is null ? null : config.GetSection(demo.Section);
        foreach (var key in unknown)
        {
            errors.Add($"unknown key '{key}': not an agent setting (see solprof agent --help and the README)");
        }

        var overlay = new ConfigurationBuilder().AddConfiguration(config).AddInMemoryCollection(durations).Build();
        var options = new AgentOptions();
        try
        {
            // Every unknown key is listed above with its path; the binder would stop at the first, before the values.
            // The demo's section is no key of the agent's options; it is bound into the demo's settings below.
            overlay.Bind(options, o => o.ErrorOnUnknownConfiguration = unknown.Count == 0 && demoSection?.Exists() != true);
            if (demo is not null)
            {
                demo.Bind(overlay.GetSection(demo.Section), unknown.Count == 0);
            }
        }
        catch (InvalidOperationException e)
        {
            errors.Add(BinderMessage(e.Message));
        }

        return errors.Count == 0 ? options : throw new AgentConfigurationException("invalid configuration:\n  " + string.Join("\n  ", errors));
    }

    /// <summary>The configuration binder's message, reworded to name the key as the user wrote it.</summary>
    private static string BinderMessage(string message)
    {
        var conversion = System.Text.RegularExpressions.Regex.Match(message, "value '(.*)' at '(.+?)' to type '(?:System\\.)?(.+?)'");
        if (conversion.Success)
        {
            // An optional setting (int? tp) is named by the binder as Nullable`1[[System.Int32, ...]]: name what it holds.
            var type = System.Text.RegularExpressions.Regex.Replace(conversion.Groups[3].Value, @"^Nullable`1\[\[System\.(\w+).*$", "$1") switch
            {
                "Int32" or "Int64" => "whole number",
                "Double" => "number",
                "Boolean" => "true or false",
                var t => t,
            };
            return $"{KeyName(conversion.Groups[2].Value)}: '{conversion.Groups[1].Value}' is not a {type}";
        }

        var unknown = System.Text.RegularExpressions.Regex.Match(message, "not found on the instance of [^:]+: (.+)$");
        return unknown.Success
            ? $"unknown key {unknown.Groups[1].Value}: not an agent setting (see solprof agent --help and the README)"
            : message;
    }

    private static string KeyName(string path) =>
        string.Join(':', path.Split(':').Select(p => p.Length == 0 ? p : char.ToLowerInvariant(p[0]) + p[1..]));

    private static TimeSpan ParseDuration(string text) =>
        TimeSpan.TryParseExact(text, "c", CultureInfo.InvariantCulture, out var span) ? span : ProbeOptions.ParseDuration(text);

    /// <summary>A JSON tree as configuration keys (<c>serving:url</c>, <c>frontierBatches:0</c>).</summary>
    private static IEnumerable<KeyValuePair<string, string?>> Flatten(JsonNode? node, string prefix = "")
    {
        switch (node)
        {
            case JsonObject o:
                foreach (var (key, value) in o)
                {
                    foreach (var kv in Flatten(value, prefix.Length == 0 ? key : prefix + ":" + key))
                    {
                        yield return kv;
                    }
                }

                break;
            case JsonArray a:
                for (var i = 0; i < a.Count; i++)
                {
                    foreach (var kv in Flatten(a[i], prefix + ":" + i.ToString(CultureInfo.InvariantCulture)))
                    {
                        yield return kv;
                    }
                }

                break;
            case JsonValue v:
                yield return new(prefix, v.ToString());
                break;
            default:
                yield return new(prefix, null);
                break;
        }
    }
}
