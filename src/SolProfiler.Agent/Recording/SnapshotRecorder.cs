using System.Text.Json;
using Microsoft.Extensions.Logging;
using SolProfiler.Analysis;
using SolProfiler.Agent.Configuration;
using SolProfiler.Agent.Hosting;

namespace SolProfiler.Agent.Recording;

/// <summary>
/// Appends one snapshot per line to a JSONL file (for <c>solprof report</c>). When the next line would take the file
/// past its size limit, the file is rotated: FILE.jsonl becomes FILE.1.jsonl, FILE.1 becomes FILE.2, and the oldest
/// beyond the kept count is deleted. A write that fails is logged and the next window tries again.
/// </summary>
public sealed class SnapshotRecorder : ISnapshotSink, IDisposable
{
    private readonly RecordOptions _options;
    private readonly ILogger _logger;
    private FileStream? _stream;

    public SnapshotRecorder(RecordOptions options, ILogger<SnapshotRecorder> logger)
    {
        ArgumentNullException.ThrowIfNull(options);
        _options = options;
        _logger = logger;
        Path = System.IO.Path.GetFullPath(options.Path ?? throw new ArgumentException("no recording path", nameof(options)));
        var folder = System.IO.Path.GetDirectoryName(Path)!;
        Directory.CreateDirectory(folder);
    }

    public string Path { get; }

    public long LinesWritten { get; private set; }

    public void Write(AgentSnapshot snapshot)
    {
        try
        {
            var line = JsonSerializer.SerializeToUtf8Bytes(snapshot, AgentJson.Snapshot);
            var stream = _stream ??= Open();
            if (stream.Length > 0 && stream.Length + line.Length + 1 > _options.MaxBytes)
            {
                Rotate();
                stream = _stream = Open();
            }

            stream.Write(line);
            stream.WriteByte((byte)'\n');
            stream.Flush();
            LinesWritten++;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            Log.RecordingFailed(_logger, Path, e.Message);
            _stream?.Dispose();
            _stream = null;
        }
    }

    /// <summary>The name of the n-th rotated file: FILE.jsonl -> FILE.n.jsonl.</summary>
    public static string RotatedName(string path, int n)
    {
        var ext = System.IO.Path.GetExtension(path);
        return System.IO.Path.ChangeExtension(path, null) + "." + n.ToString(System.Globalization.CultureInfo.InvariantCulture) + ext;
    }

    private FileStream Open() => new(Path, FileMode.Append, FileAccess.Write, FileShare.Read);

    private void Rotate()
    {
        _stream?.Dispose();
        _stream = null;
        var oldest = RotatedName(Path, _options.MaxFiles);
        if (File.Exists(oldest))
        {
            File.Delete(oldest);
        }

        for (var n = _options.MaxFiles - 1; n >= 1; n--)
        {
            var from = RotatedName(Path, n);
            if (File.Exists(from))
            {
                File.Move(from, RotatedName(Path, n + 1), overwrite: true);
            }
        }

        File.Move(Path, RotatedName(Path, 1), overwrite: true);
    }

    public void Dispose()
    {
        _stream?.Dispose();
        _stream = null;
    }
}
