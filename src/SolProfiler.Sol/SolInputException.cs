namespace SolProfiler.Sol;

/// <summary>
/// A user error in the inputs of the SOL model (unknown id, bad value, missing config field).
/// Its message is one line that names the offending value; front ends print it without a stack trace.
/// </summary>
public class SolInputException : Exception
{
    public SolInputException(string message) : base(message) { }

    public SolInputException(string message, Exception inner) : base(message, inner) { }

    public SolInputException() { }
}

/// <summary>An id that is not in a catalog; carries the known ids so the user can pick one.</summary>
public sealed class UnknownCatalogIdException : SolInputException
{
    public UnknownCatalogIdException(string kind, string id, IReadOnlyList<string> knownIds)
        : base($"unknown {kind} '{id}'. Known {kind} ids: {string.Join(", ", knownIds)}")
    {
        Kind = kind;
        Id = id;
        KnownIds = knownIds;
    }

    public string Kind { get; }

    public string Id { get; }

    public IReadOnlyList<string> KnownIds { get; }
}
