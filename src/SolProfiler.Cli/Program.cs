using System.CommandLine;
using SolProfiler.Cli;

return await CliApp.RunAsync(args, Console.Out, Console.Error);
