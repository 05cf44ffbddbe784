using System.CommandLine;
using SolProfiler.Agent.Sources;
using SolProfiler.Sol;

namespace SolProfiler.Cli.Options;

/// <summary>
/// The GPU-source flags every command takes, spelled once (<see cref="GpuSourceRules.Flag"/>): <c>--gpu-backend</c>,
/// <c>--gpu-library</c>, <c>--dcgm-host</c>, <c>--dcgm-exporter-url</c>, <c>--dcgm-exporter-file</c>, <c>--gpu-timeout</c>.
/// The spellings <c>gpus</c> and <c>sweep</c> had before are kept as hidden options for one release.
/// </summary>
public sealed class GpuSourceOptions
{
    private readonly GpuBackendKind _defaultBackend;
    private readonly RenamedOption<GpuBackendKind?> _backend;
    private readonly RenamedOption<string?> _library;
    private readonly RenamedOption<string?> _dcgmHost;
    private readonly RenamedOption<string?> _exporterUrl;
    private readonly RenamedOption<string?> _exporterFile;
    private readonly RenamedOption<TimeSpan?> _timeout;

    /// <param name="defaultBackend">The backend when <c>--gpu-backend</c> is not given (<c>none</c>: no GPU telemetry unless asked).</param>
    /// <param name="oldSpellings">The command's spellings from before, by setting.</param>
    public GpuSourceOptions(GpuBackendKind defaultBackend, IReadOnlyDictionary<GpuSourceSetting, string[]>? oldSpellings = null)
    {
        _defaultBackend = defaultBackend;
        string[] Old(GpuSourceSetting setting) => oldSpellings?.GetValueOrDefault(setting) ?? [];
        Option<T> New<T>(GpuSourceSetting setting, string description, string? helpName = null) => new(GpuSourceRules.Flag(setting)) { Description = description, HelpName = helpName };

        var backend = New<GpuBackendKind?>(GpuSourceSetting.Backend, $"Where GPU telemetry comes from: {GpuBackendNames.Choices} (default {GpuBackendNames.Name(defaultBackend)})");
        backend.HelpName = string.Join('|', GpuBackendNames.All.Select(GpuBackendNames.Name));
        backend.CustomParser = OptionParsers.GpuBackend;
        _backend = new(backend, Old(GpuSourceSetting.Backend));
        _library = new(New<string?>(GpuSourceSetting.Library, "Path of libdcgm or libnvidia-ml to load instead of the system one, or of the NVML stand-in for sim", "FILE"), Old(GpuSourceSetting.Library));
        _dcgmHost = new(New<string?>(GpuSourceSetting.DcgmHost, "With dcgm: a running nv-hostengine (host:port or unix socket path) instead of embedding it", "ADDRESS"), Old(GpuSourceSetting.DcgmHost));
        var url = New<string?>(GpuSourceSetting.ExporterUrl, "With dcgm-exporter: its metrics URL, e.g. http://127.0.0.1:9400/metrics");
        url.HelpName = "URL";
        _exporterUrl = new(url, Old(GpuSourceSetting.ExporterUrl));
        var file = New<string?>(GpuSourceSetting.ExporterFile, "With dcgm-exporter: a saved body, read again at every sample, instead of a URL");
        file.HelpName = "FILE";
        _exporterFile = new(file, Old(GpuSourceSetting.ExporterFile));
        var timeout = New<TimeSpan?>(GpuSourceSetting.Timeout, "With dcgm-exporter: give up on one scrape after this long (default 2s)");
        timeout.HelpName = "DURATION";
        timeout.CustomParser = OptionParsers.Duration;
        _timeout = new(timeout, Old(GpuSourceSetting.Timeout));
    }

    /// <summary>The default time one dcgm-exporter scrape may take.</summary>
    public static TimeSpan DefaultTimeout { get; } = TimeSpan.FromSeconds(2);

    private IEnumerable<(GpuSourceSetting Setting, IRenamedOption Option)> Settings =>
    [
        (GpuSourceSetting.Backend, _backend),
        (GpuSourceSetting.Library, _library),
        (GpuSourceSetting.DcgmHost, _dcgmHost),
        (GpuSourceSetting.ExporterUrl, _exporterUrl),
        (GpuSourceSetting.ExporterFile, _exporterFile),
        (GpuSourceSetting.Timeout, _timeout),
    ];

    public void AddTo(Command command)
    {
        ArgumentNullException.ThrowIfNull(command);
        foreach (var option in Settings.SelectMany(s => s.Option.All))
        {
            command.Options.Add(option);
        }
    }

    /// <summary>
    /// The source asked for, checked (<see cref="GpuSourceRules"/>) with each problem naming the flag as typed; null for
    /// <c>none</c>. A note goes to <paramref name="stderr"/> for each old spelling used.
    /// </summary>
    public GpuBackendRequest? Read(ParseResult parse, TextWriter stderr)
    {
        ArgumentNullException.ThrowIfNull(stderr);
        foreach (var (_, option) in Settings)
        {
            if (option.RenameNote(parse) is { } note)
            {
                stderr.WriteLine(note);
            }
        }

        var request = new GpuBackendRequest(
            _backend.Value(parse) ?? _defaultBackend,
            _library.Value(parse),
            _exporterUrl.Value(parse),
            _exporterFile.Value(parse),
            _timeout.Value(parse) ?? DefaultTimeout,
            _dcgmHost.Value(parse));
        var typed = Settings.ToDictionary(s => s.Setting, s => s.Option.Typed(parse));
        foreach (var (setting, message) in GpuSourceRules.Check(request, s => typed[s]))
        {
            throw new SolInputException($"{typed[setting]}: {message}");
        }

        if (_timeout.IsGiven(parse) && request.Backend != GpuBackendKind.DcgmExporter)
        {
            throw new SolInputException($"{typed[GpuSourceSetting.Timeout]}: goes with {typed[GpuSourceSetting.Backend]} dcgm-exporter");
        }

        return request.Backend == GpuBackendKind.None ? null : request;
    }

    /// <summary>The flags given, as the agent's configuration keys (checked again with the configuration file's values).</summary>
    public void AddConfiguration(ParseResult parse, IDictionary<string, string?> given)
    {
        ArgumentNullException.ThrowIfNull(given);
        if (_backend.Value(parse) is { } backend)
        {
            given["gpuSource:backend"] = GpuBackendNames.Name(backend);
        }

        Put("gpuSource:library", _library.Value(parse));
        Put("gpuSource:dcgmHost", _dcgmHost.Value(parse));
        Put("gpuSource:url", _exporterUrl.Value(parse));
        Put("gpuSource:file", _exporterFile.Value(parse));
        if (_timeout.Value(parse) is { } timeout)
        {
            given["gpuSource:timeout"] = timeout.ToString("c", System.Globalization.CultureInfo.InvariantCulture);
        }

        void Put(string key, string? value)
        {
            if (value is not null)
            {
                given[key] = value;
            }
        }
    }
}
