namespace SolProfiler.Sol.Modeling;

/// <summary>What a precision is chosen for: each takes its own set of formats (a KV cache is never 4-bit here).</summary>
public enum PrecisionRole
{
    Weights,
    ExpertWeights,
    Kv,
    Activations,
    Dispatch,
}

/// <summary>
/// The one reading of a precision name for a role, for the command line, the agent's configuration and the catalogs
/// alike: the formats each role takes (<see cref="PrecisionFacts"/>) and one message for a name it does not take.
/// </summary>
public static class PrecisionRoles
{
    public static bool Allows(PrecisionRole role, Precision precision) => role switch
    {
        PrecisionRole.Kv => PrecisionFacts.IsValidForKv(precision),
        PrecisionRole.Activations => PrecisionFacts.IsValidForActivations(precision),
        PrecisionRole.Dispatch => PrecisionFacts.IsValidForDispatch(precision),
        _ => true,
    };

    /// <summary>"weight", "KV-cache", ... as a message says it.</summary>
    public static string Name(PrecisionRole role) => role switch
    {
        PrecisionRole.Weights => "weight",
        PrecisionRole.ExpertWeights => "expert weight",
        PrecisionRole.Kv => "KV-cache",
        PrecisionRole.Activations => "activation",
        _ => "dispatch",
    };

    /// <summary>The names the role takes, in the enum's order.</summary>
    public static IReadOnlyList<string> Names(PrecisionRole role) =>
        Enum.GetValues<Precision>().Where(p => Allows(role, p)).Select(PrecisionFacts.Name).ToArray();

    /// <summary>The precision <paramref name="text"/> names for the role, or the message saying why it is not one.</summary>
    public static bool TryParse(string? text, PrecisionRole role, out Precision precision, out string error)
    {
        foreach (var candidate in Enum.GetValues<Precision>())
        {
            if (Allows(role, candidate) && string.Equals(PrecisionFacts.Name(candidate), text?.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                precision = candidate;
                error = string.Empty;
                return true;
            }
        }

        precision = default;
        error = $"'{text}' is not a {Name(role)} precision; expected {string.Join(", ", Names(role))}";
        return false;
    }

    public static Precision Parse(string text, PrecisionRole role) =>
        TryParse(text, role, out var precision, out var error) ? precision : throw new SolInputException(error);

    /// <summary>Null for no text (the model's default), else <see cref="Parse"/>.</summary>
    public static Precision? ParseOptional(string? text, PrecisionRole role) => text is null ? null : Parse(text, role);
}
