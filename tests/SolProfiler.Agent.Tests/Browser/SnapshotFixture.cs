using System.Globalization;
using System.Text.Json.Nodes;

namespace SolProfiler.Agent.Tests.Browser;

/// <summary>The sample snapshot (the agent's JSON shape), with its timestamp set to now so the page reads it as live.</summary>
internal static class SnapshotFixture
{
    private static readonly string Sample = File.ReadAllText(Path.Combine(AppContext.BaseDirectory, "Browser", "Fixtures", "snapshot-sample.json"));

    public static JsonObject Load()
    {
        var snapshot = JsonNode.Parse(Sample)!.AsObject();
        snapshot["timestamp"] = DateTimeOffset.UtcNow.ToString("O", CultureInfo.InvariantCulture);
        return snapshot;
    }

    /// <summary>Serves a fresh timestamp on every fetch, as the agent would.</summary>
    public static Func<string> Live(Action<JsonObject>? change = null) => () =>
    {
        var snapshot = Load();
        change?.Invoke(snapshot);
        return snapshot.ToJsonString();
    };
}
