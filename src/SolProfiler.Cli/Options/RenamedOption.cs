using System.CommandLine;
using SolProfiler.Sol;

namespace SolProfiler.Cli.Options;

/// <summary>
/// An option with the spellings it had before every command took the same flags, kept for one release as hidden
/// options that parse alike. Whichever spelling the user typed is the one its errors name, and a note says the new one.
/// </summary>
internal sealed class RenamedOption<T> : IRenamedOption
{
    private readonly Option<T>[] _old;

    public RenamedOption(Option<T> current, params string[] oldSpellings)
    {
        Current = current;
        _old = oldSpellings
            .Select(name => new Option<T>(name) { Hidden = true, Description = current.Description, HelpName = current.HelpName, CustomParser = current.CustomParser })
            .ToArray();
    }

    public Option<T> Current { get; }

    public IEnumerable<Option> All => _old.Prepend(Current);

    /// <summary>The value under whichever spelling was given; the current option's (default) value when none was.</summary>
    public T? Value(ParseResult parse) => parse.GetValue(Given(parse) ?? Current);

    /// <summary>The spelling the user typed (the current one when none was typed).</summary>
    public string Typed(ParseResult parse) => Given(parse) is { } given ? Spelling(parse, given) : Current.Name;

    public bool IsGiven(ParseResult parse) => Given(parse) is not null;

    /// <summary>"--backend is now --gpu-backend" when an old spelling was used; else null.</summary>
    public string? RenameNote(ParseResult parse) =>
        Given(parse) is { } given && !ReferenceEquals(given, Current)
            ? $"note: {given.Name} is now {Current.Name}; the old spelling goes in the next release"
            : null;

    private Option<T>? Given(ParseResult parse)
    {
        Option<T>? given = null;
        foreach (var option in _old.Prepend(Current))
        {
            if (parse.GetResult(option) is { Implicit: false })
            {
                if (given is not null)
                {
                    throw new SolInputException($"{given.Name} and {option.Name} are one option (one is its old spelling); give it once");
                }

                given = option;
            }
        }

        return given;
    }

    private static string Spelling(ParseResult parse, Option option) => parse.GetResult(option)?.IdentifierToken?.Value ?? option.Name;
}

/// <summary>A <see cref="RenamedOption{T}"/> seen without its value type, so a set of them is walked in one loop.</summary>
internal interface IRenamedOption
{
    IEnumerable<Option> All { get; }

    string Typed(ParseResult parse);

    string? RenameNote(ParseResult parse);
}
