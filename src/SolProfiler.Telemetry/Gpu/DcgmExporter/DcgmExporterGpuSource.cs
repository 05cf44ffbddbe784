using SolProfiler.Telemetry.Exposition;
using SolProfiler.Telemetry.Serving.Scraping;

namespace SolProfiler.Telemetry.Gpu.DcgmExporter;

/// <summary>
/// GPU telemetry from a dcgm-exporter endpoint (default port 9400) or a saved capture of one. A failed scrape is a
/// down snapshot with its reason; the source never throws for it.
/// </summary>
public sealed class DcgmExporterGpuSource : IGpuSource
{
    private readonly HttpClient? _http;
    private readonly Uri? _url;
    private readonly string? _file;
    private readonly TimeSpan _timeout;
    private readonly TimeProvider _time;
    private readonly ExpositionReuse _reuse = new();

    private DcgmExporterGpuSource(HttpClient? http, Uri? url, string? file, TimeSpan timeout, TimeProvider? time)
    {
        _http = http;
        _url = url;
        _file = file;
        _timeout = timeout;
        _time = time ?? TimeProvider.System;
    }

    public string Backend => "dcgm-exporter";

    public static DcgmExporterGpuSource ForUrl(HttpClient http, Uri url, TimeSpan timeout, TimeProvider? time = null) => new(http, url, null, timeout, time);

    public static DcgmExporterGpuSource ForFile(string path, TimeProvider? time = null) => new(null, null, path, TimeSpan.Zero, time);

    public async Task<GpuSnapshot> ReadAsync(CancellationToken cancellationToken = default)
    {
        var at = _time.GetUtcNow();
        var fetched = _file is not null
            ? await ExpositionFetcher.ReadFileAsync(_file, ExpositionLimits.Default, cancellationToken).ConfigureAwait(false)
            : await ExpositionFetcher.FetchAsync(_http!, _url!, _timeout, ExpositionLimits.Default, null, _reuse, cancellationToken).ConfigureAwait(false);
        if (fetched.Document is not { } document)
        {
            return new GpuSnapshot { Backend = Backend, Timestamp = at, DownReason = fetched.FailureReason };
        }

        var snapshot = DcgmExporterReading.Read(document, at);
        return document.Problems.Count > 0
            ? snapshot with { Warnings = [.. snapshot.Warnings, .. document.Problems.Select(p => p.ToString())] }
            : snapshot;
    }

    public ValueTask DisposeAsync() => ValueTask.CompletedTask;
}
