using System.Text.Json;
using Microsoft.Extensions.Logging.Abstractions;
using SolProfiler.Analysis;
using SolProfiler.Agent.Configuration;
using SolProfiler.Agent.Recording;

namespace SolProfiler.Agent.Tests.Recording;

public sealed class SnapshotRecorderTests : IDisposable
{
    private readonly string _folder = Directory.CreateTempSubdirectory("solprof-record-").FullName;

    public void Dispose() => Directory.Delete(_folder, recursive: true);

    private static AgentSnapshot Snapshot(int i) => new()
    {
        Timestamp = DateTimeOffset.UnixEpoch.AddSeconds(30 * i),
        WindowSeconds = 30,
        Valid = false,
        InvalidReason = "no decode traffic in the window, line " + i,
        Configuration = new ConfigurationSummary("llama-3.1-70b", "h100-sxm", null, null, 8, 1, 1, 1, 8, "fp8", "fp8", "fp8", "vllm", true),
        Sources = [],
    };

    [Fact]
    public void Writes_one_json_line_per_snapshot_and_rotates_by_size_keeping_max_files()
    {
        var path = Path.Combine(_folder, "sub", "agent.jsonl");
        using var recorder = new SnapshotRecorder(new RecordOptions { Path = path, MaxBytes = 4096, MaxFiles = 2 }, NullLogger<SnapshotRecorder>.Instance);

        for (var i = 0; i < 200; i++)
        {
            recorder.Write(Snapshot(i));
        }

        recorder.Dispose();
        var files = new[] { path, SnapshotRecorder.RotatedName(path, 1), SnapshotRecorder.RotatedName(path, 2) };
        Assert.All(files, f => Assert.True(File.Exists(f), f));
        Assert.False(File.Exists(SnapshotRecorder.RotatedName(path, 3)));
        Assert.All(files, f => Assert.True(new FileInfo(f).Length <= 4096, $"{f} is {new FileInfo(f).Length} bytes"));

        // The newest lines are in the live file, in order, each a whole snapshot.
        var lines = files.Reverse().SelectMany(File.ReadAllLines).ToArray();
        var indices = lines.Select(l => JsonDocument.Parse(l).RootElement.GetProperty("invalidReason").GetString()!).Select(r => int.Parse(r[(r.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture)).ToArray();
        Assert.Equal(199, indices[^1]);
        Assert.Equal(Enumerable.Range(indices[0], indices.Length), indices);
        Assert.Equal(200, recorder.LinesWritten);
        Assert.Equal("agent.1.jsonl", Path.GetFileName(SnapshotRecorder.RotatedName(path, 1)));
    }
}
