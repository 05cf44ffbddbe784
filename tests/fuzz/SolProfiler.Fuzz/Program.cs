using System.Diagnostics;
using System.Globalization;
using SharpFuzz;
using SolProfiler.Fuzz;

// SharpFuzz harness for the two parsers that read untrusted bytes.
//   SolProfiler.Fuzz exposition|sse                 AFL mode: run under afl-fuzz (tests/fuzz/run-afl.sh)
//   SolProfiler.Fuzz --smoke N [--seed S] [--target exposition|sse] [--max-bytes B] [--corpus DIR] [--out DIR]
//                                                   N mutated seed inputs through the targets in-process, no AFL
//   SolProfiler.Fuzz --replay exposition|sse FILE...  runs saved inputs once (a crash from afl's crashes/ folder)
// Exit codes: 0 clean, 1 an input crashed (unexpected exception or broken invariant), 2 usage, 3 hang (--smoke).

return args switch
{
    [var target] when Corpus.Targets.Contains(target) => Afl(target),
    ["--smoke", ..] => Smoke(args),
    ["--replay", var target, .. var files] when Corpus.Targets.Contains(target) && files.Length > 0 => Replay(target, files),
    _ => Usage(),
};

static int Usage()
{
    Console.Error.WriteLine("usage: SolProfiler.Fuzz exposition|sse");
    Console.Error.WriteLine("       SolProfiler.Fuzz --smoke N [--seed S] [--target exposition|sse] [--max-bytes B] [--corpus DIR] [--out DIR]");
    Console.Error.WriteLine("       SolProfiler.Fuzz --replay exposition|sse FILE...");
    return 2;
}

static Action<byte[]> Target(string name)
{
    if (name == "exposition")
    {
        return ExpositionTarget.Run;
    }

    var sse = new SseTarget();
    return sse.Run;
}

static int Afl(string target)
{
    // No instrumented code may run before Fuzzer.*.Run has set up afl's shared memory (the probe's constructor runs
    // some: it would abort the fork server), so the target is made on the first input, inside the child.
    Action<byte[]>? run = null;
    // Out of process: the child survives nothing it should not, so a stack overflow or a fatal error is reported as a
    // crash and the child restarted. Any exception escaping `run` is a crash; the expected ones are caught inside.
    Fuzzer.OutOfProcess.Run(stream =>
    {
        using var buffer = new MemoryStream();
        stream.CopyTo(buffer);
        run ??= Target(target);
        run(buffer.ToArray());
    });
    return 0;
}

static int Replay(string target, string[] files)
{
    var run = Target(target);
    var failed = 0;
    foreach (var file in files)
    {
        var input = File.ReadAllBytes(file);
        var watch = Stopwatch.StartNew();
        try
        {
            run(input);
            Console.WriteLine($"ok     {file} ({input.Length} bytes, {watch.Elapsed.TotalMilliseconds:0.0} ms)");
        }
        catch (Exception e)
        {
            failed++;
            Console.WriteLine($"CRASH  {file} ({input.Length} bytes): {e}");
        }
    }

    return failed == 0 ? 0 : 1;
}

static int Smoke(string[] args)
{
    int? count = null;
    var seed = 20_260_801;
    string[] targets = Corpus.Targets;
    var corpusRoot = Path.Combine(AppContext.BaseDirectory, "corpus");
    var outDir = Path.Combine(Path.GetTempPath(), "solprof-fuzz", "smoke"); // never inside the repository by default
    var maxBytes = Mutator.MaxInputBytes;
    for (var i = 1; i < args.Length; i++)
    {
        var value = i + 1 < args.Length ? args[i + 1] : null;
        switch (args[i])
        {
            case "--seed" when int.TryParse(value, CultureInfo.InvariantCulture, out var s):
                seed = s;
                i++;
                break;
            case "--target" when value is not null && Corpus.Targets.Contains(value):
                targets = [value];
                i++;
                break;
            case "--max-bytes" when int.TryParse(value, CultureInfo.InvariantCulture, out var m) && m > 0:
                maxBytes = m;
                i++;
                break;
            case "--corpus" when value is not null:
                corpusRoot = value;
                i++;
                break;
            case "--out" when value is not null:
                outDir = value;
                i++;
                break;
            default:
                if (count is null && int.TryParse(args[i], CultureInfo.InvariantCulture, out var n) && n >= 0)
                {
                    count = n;
                    break;
                }

                return Usage();
        }
    }

    if (count is not { } total)
    {
        return Usage();
    }

    var corpora = targets.Select(t => Corpus.Load(corpusRoot, t)).ToArray();
    var runs = targets.Select(Target).ToArray();
    var executed = new long[targets.Length];
    long bytes = 0;
    var current = new Watchdog();
    var watchdog = new Thread(() => current.Watch(outDir)) { IsBackground = true, Name = "fuzz watchdog" };
    watchdog.Start();

    var clock = Stopwatch.StartNew();
    for (var i = 0; i < total; i++)
    {
        var t = i % targets.Length;
        // The seeds themselves first (a mutation can only be judged against seeds that pass), then mutations.
        var input = i / targets.Length < corpora[t].Count
            ? corpora[t][i / targets.Length]
            : Mutator.ForInput(seed, i, maxBytes).Next(corpora[t]);
        current.Start(targets[t], i, input);
        try
        {
            runs[t](input);
        }
        catch (Exception e)
        {
            var path = Save(outDir, $"crash-{targets[t]}-seed{seed}-{i}.bin", input);
            Console.Error.WriteLine($"CRASH on {targets[t]} input {i} (seed {seed}, {input.Length} bytes) saved to {path}:\n{e}");
            return 1;
        }

        current.Stop();
        executed[t]++;
        bytes += input.Length;
        if ((i + 1) % 5000 == 0)
        {
            Console.WriteLine($"  {i + 1} inputs, {clock.Elapsed.TotalSeconds:0.0} s");
        }
    }

    var seconds = clock.Elapsed.TotalSeconds;
    for (var t = 0; t < targets.Length; t++)
    {
        Console.WriteLine($"{targets[t]}: {executed[t]} inputs, 0 crashes, 0 hangs");
    }

    Console.WriteLine($"smoke: {total} inputs ({bytes / Math.Max(total, 1)} bytes on average) in {seconds:0.0} s ({total / Math.Max(seconds, 1e-9):0} inputs/s), seed {seed}");
    return 0;
}

static string Save(string directory, string name, byte[] input)
{
    Directory.CreateDirectory(directory);
    var path = Path.Combine(directory, name);
    File.WriteAllBytes(path, input);
    return path;
}

/// <summary>Flags an input that runs longer than <see cref="Limit"/> (an infinite loop): saves it and ends the process.</summary>
internal sealed class Watchdog
{
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(10);
    private readonly Lock _lock = new();
    private string _target = "";
    private int _index;
    private byte[]? _input;
    private long _started;

    public void Start(string target, int index, byte[] input)
    {
        lock (_lock)
        {
            (_target, _index, _input, _started) = (target, index, input, Stopwatch.GetTimestamp());
        }
    }

    public void Stop()
    {
        lock (_lock)
        {
            _input = null;
        }
    }

    public void Watch(string outDir)
    {
        while (true)
        {
            Thread.Sleep(500);
            lock (_lock)
            {
                if (_input is not null && Stopwatch.GetElapsedTime(_started) > Limit)
                {
                    Directory.CreateDirectory(outDir);
                    var path = Path.Combine(outDir, $"hang-{_target}-{_index}.bin");
                    File.WriteAllBytes(path, _input);
                    Console.Error.WriteLine($"HANG on {_target} input {_index} ({_input.Length} bytes, over {Limit.TotalSeconds} s) saved to {path}");
                    Environment.Exit(3);
                }
            }
        }
    }
}
