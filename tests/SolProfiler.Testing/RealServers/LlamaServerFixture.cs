using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace SolProfiler.Testing.RealServers;

/// <summary>
/// Starts llama.cpp's real <c>llama-server</c> from <c>../shared/llamacpp</c> (see its README.md) on 127.0.0.1 and a
/// free port, with a random-weight model made once into a cached temp folder (shared by all tests and runs), and kills it on dispose.
/// Only xUnit and the BCL, so other test projects can link this file. Use <see cref="LlamaServerFactAttribute"/> for
/// tests that need it: they are skipped, saying why, where the binary or python3 with numpy is missing.
/// </summary>
public sealed class LlamaServerFixture : IAsyncDisposable
{
    /// <summary>The model name the server serves (<c>--alias</c>).</summary>
    public const string ModelAlias = "tiny-llama";

    private static readonly SemaphoreSlim ModelLock = new(1, 1);

    /// <summary>
    /// One real server at a time on this machine, across test processes (dotnet test runs the test projects side by
    /// side): two llama-servers spinning two threads each on two cores slow each other sevenfold and time requests out.
    /// </summary>
    private static readonly string MachineLockPath = Path.Combine(Path.GetTempPath(), "solprof-llama-server.lock");

    private FileStream? _machineLock;
    private static string? _modelDirectory;
    private readonly Process _process;
    private readonly StringWriter _log = new();

    private LlamaServerFixture(Process process, int port, string modelDirectory)
    {
        _process = process;
        Port = port;
        ModelDirectory = modelDirectory;
    }

    public int Port { get; }

    /// <summary>The server's root: <c>/v1</c>, <c>/metrics</c>, <c>/slots</c>, <c>/health</c> are under it.</summary>
    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>The folder with <c>model.gguf</c> and its Hugging Face <c>config.json</c> (a SOL model).</summary>
    public string ModelDirectory { get; }

    public string ConfigJson => Path.Combine(ModelDirectory, "config.json");

    /// <summary>The GPU file describing this machine's CPU and DRAM as the device (<c>--gpu-file … --gpu epyc-2vcpu</c>).</summary>
    public static string CpuDeviceFile => Path.Combine(SharedDirectory ?? "", "cpu-device.json");

    public const string CpuDeviceId = "epyc-2vcpu";

    /// <summary>What the server wrote to stdout/stderr so far (for failure messages).</summary>
    public string Log
    {
        get
        {
            lock (_log)
            {
                return _log.ToString();
            }
        }
    }

    /// <summary><c>../shared/llamacpp</c> from the repository root, found by walking up from the test binaries; null when absent.</summary>
    public static string? SharedDirectory { get; } = FindShared();

    private const string Python = "/usr/bin/python3";

    /// <summary>Why the real server cannot run here, or null when it can.</summary>
    public static string? MissingReason { get; } = FindMissing();

    /// <summary>
    /// Starts a server and waits until <c>/health</c> answers 200 (at most <paramref name="startTimeout"/>, 60 s by default).
    /// The default flags are the README's: <c>--metrics -np 4 -c 8192 -cb -t 2 --no-webui</c>, plus <c>--temp 0</c>; <paramref name="extraArguments"/> go after them.
    /// Greedy sampling because the random-weight model, sampled at the default temperature 0.8, now and then emits byte
    /// tokens that end in an incomplete UTF-8 sequence, and this server then ends the stream with its own error
    /// ("does not match the expected Content-only format", code 500): 6 of 40 requests of 96 tokens at concurrency 4.
    /// Greedy decoding of the seeded model is deterministic and had none in 120; the step costs the same.
    /// </summary>
    /// <param name="port">The port to listen on (to restart a killed server where its clients expect it); null picks a free one.</param>
    public static async Task<LlamaServerFixture> StartAsync(IReadOnlyList<string>? extraArguments = null, TimeSpan? startTimeout = null, int? port = null)
    {
        if (MissingReason is { } why)
        {
            throw new InvalidOperationException(why);
        }

        var machineLock = await AcquireMachineLockAsync();
        var model = await ModelDirectoryAsync();
        var listenPort = port ?? Loopback.FreePort();
        var info = new ProcessStartInfo(Path.Combine(SharedDirectory!, "bin", "llama-server"))
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var a in new[] { "-m", Path.Combine(model, "model.gguf"), "--alias", ModelAlias, "--metrics", "-np", "4", "-c", "8192", "-cb", "-t", "2",
                     "--temp", "0", "--host", "127.0.0.1", "--port", listenPort.ToString(System.Globalization.CultureInfo.InvariantCulture), "--no-webui" })
        {
            info.ArgumentList.Add(a);
        }

        foreach (var a in extraArguments ?? [])
        {
            info.ArgumentList.Add(a);
        }

        Process process;
        try
        {
            process = Process.Start(info) ?? throw new InvalidOperationException("llama-server did not start");
        }
        catch
        {
            await machineLock.DisposeAsync();
            throw;
        }

        var server = new LlamaServerFixture(process, listenPort, model) { _machineLock = machineLock };
        process.OutputDataReceived += (_, e) => server.Append(e.Data);
        process.ErrorDataReceived += (_, e) => server.Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        try
        {
            await server.WaitHealthyAsync(startTimeout ?? TimeSpan.FromSeconds(60));
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }

        return server;
    }

    private static async Task<FileStream> AcquireMachineLockAsync()
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                return new FileStream(MachineLockPath, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None, 1, FileOptions.None);
            }
            catch (IOException) when (clock.Elapsed < TimeSpan.FromMinutes(10))
            {
                await Task.Delay(250); // another test process runs its server
            }
        }
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_log)
        {
            if (_log.GetStringBuilder().Length < 1 << 20)
            {
                _log.WriteLine(line);
            }
        }
    }

    private async Task WaitHealthyAsync(TimeSpan timeout)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < timeout)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"llama-server exited with {_process.ExitCode} while starting: {Tail(Log)}");
            }

            try
            {
                using var response = await http.GetAsync(new Uri(BaseUrl, "health"));
                if (response.StatusCode == HttpStatusCode.OK)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
                // not listening yet, or loading the model (503)
            }

            await Task.Delay(200);
        }

        throw new TimeoutException($"llama-server on port {Port} not healthy after {timeout.TotalSeconds} s: {Tail(Log)}");
    }

    private static string Tail(string log) => log.Length > 2000 ? log[^2000..] : log;

    /// <summary>
    /// Makes the model once and keeps it in a temp folder named for the generator's content, so every test in a run
    /// (and later runs, the test host gives no reliable exit hook to delete it) share one 110 MB copy. It is made in a
    /// sibling folder and renamed into place, so two test processes starting at once never see half a model.
    /// </summary>
    private static async Task<string> ModelDirectoryAsync()
    {
        await ModelLock.WaitAsync();
        try
        {
            if (_modelDirectory is { } made)
            {
                return made;
            }

            var script = Path.Combine(SharedDirectory!, "make_model.py");
            var hash = Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(await File.ReadAllBytesAsync(script)))[..12].ToLowerInvariant();
            var folder = Path.Combine(Path.GetTempPath(), $"solprof-llama-model-{hash}");
            if (!File.Exists(Path.Combine(folder, "model.gguf")) || !File.Exists(Path.Combine(folder, "config.json")))
            {
                var building = folder + $".{Environment.ProcessId}.tmp";
                Directory.CreateDirectory(building);
                var info = new ProcessStartInfo(Python) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                info.ArgumentList.Add(script);
                info.ArgumentList.Add(building);
                using var make = Process.Start(info) ?? throw new InvalidOperationException("python3 did not start");
                var stderr = make.StandardError.ReadToEndAsync();
                _ = await make.StandardOutput.ReadToEndAsync();
                await make.WaitForExitAsync();
                if (make.ExitCode != 0)
                {
                    TryDelete(building);
                    throw new InvalidOperationException($"make_model.py failed ({make.ExitCode}): {await stderr}");
                }

                try
                {
                    Directory.Move(building, folder);
                }
                catch (IOException) when (File.Exists(Path.Combine(folder, "model.gguf")))
                {
                    TryDelete(building); // another test process made it first
                }
            }

            _modelDirectory = folder;
            return folder;
        }
        finally
        {
            ModelLock.Release();
        }
    }

    private static void TryDelete(string folder)
    {
        try
        {
            Directory.Delete(folder, recursive: true);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // a temp folder: the OS cleans it up later
        }
    }

    private static string? FindShared()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "..", "shared", "llamacpp");
            if (File.Exists(Path.Combine(candidate, "bin", "llama-server")))
            {
                return Path.GetFullPath(candidate);
            }

            candidate = Path.Combine(dir.FullName, "shared", "llamacpp");
            if (File.Exists(Path.Combine(candidate, "bin", "llama-server")))
            {
                return Path.GetFullPath(candidate);
            }
        }

        return null;
    }

    private static string? FindMissing()
    {
        if (SharedDirectory is null)
        {
            return "llama.cpp's llama-server not found at ../shared/llamacpp/bin (see that folder's README.md): the real-server tests are skipped";
        }

        if (!File.Exists(Python))
        {
            return $"{Python} not found: it makes the test model (make_model.py); install python3 and python3-numpy";
        }

        try
        {
            var info = new ProcessStartInfo(Python) { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            info.ArgumentList.Add("-c");
            info.ArgumentList.Add("import numpy");
            using var check = Process.Start(info)!;
            if (!check.WaitForExit(20_000) || check.ExitCode != 0)
            {
                return $"{Python} has no numpy: install python3-numpy to make the test model";
            }
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return $"cannot run {Python}: {e.Message}";
        }

        return null;
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                await _process.WaitForExitAsync().WaitAsync(TimeSpan.FromSeconds(10));
            }
        }
        catch (Exception e) when (e is InvalidOperationException or TimeoutException or System.ComponentModel.Win32Exception)
        {
            // already gone
        }

        _process.Dispose();
        if (_machineLock is { } held)
        {
            _machineLock = null;
            await held.DisposeAsync();
        }
    }
}

/// <summary>A fact that needs the real llama-server: skipped, with <see cref="LlamaServerFixture.MissingReason"/>, where it cannot run.</summary>
[AttributeUsage(AttributeTargets.Method)]
public sealed class LlamaServerFactAttribute : FactAttribute
{
    public LlamaServerFactAttribute()
    {
        if (LlamaServerFixture.MissingReason is { } why)
        {
            Skip = why;
        }
    }
}
