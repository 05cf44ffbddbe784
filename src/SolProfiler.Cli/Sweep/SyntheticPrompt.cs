using System.Text;

namespace SolProfiler.Cli.Sweep;

/// <summary>
/// A prompt of about N tokens without a tokenizer: English-like words, counted as one token per 4 characters
/// (the usual rule of thumb for BPE tokenizers on English text). The server's usage reports the exact count.
/// </summary>
public static class SyntheticPrompt
{
    public const int CharactersPerToken = 4;

    public const string TokenCounting =
        "prompt: synthetic English-like words, about 1 token per 4 characters (no tokenizer); output: usage.completion_tokens from the server, else 1 token per SSE content chunk";

    private static readonly string[] Words =
    [
        "the", "model", "reads", "every", "weight", "once", "per", "step", "and", "each", "sequence", "adds", "its", "own",
        "cache", "while", "memory", "bandwidth", "sets", "speed", "of", "light", "for", "decode", "on", "modern", "GPUs",
    ];

    public static string Create(int tokens, int seed = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(tokens, 1);
        var target = tokens * CharactersPerToken;
        var text = new StringBuilder(target + 16);
        var i = seed;
        while (text.Length < target)
        {
            if (text.Length > 0)
            {
                text.Append(' ');
            }

            text.Append(Words[i % Words.Length]);
            i++;
        }

        return text.ToString();
    }
}
