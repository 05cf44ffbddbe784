namespace SolProfiler.Sol.Modeling;

/// <summary>What a collective does with its message (DESIGN.md section 3, "communication" and "collectives").</summary>
internal enum CollectiveKind
{
    /// <summary>Every rank ends with the sum of every rank's S-byte message.</summary>
    AllReduce,

    /// <summary>Every rank ends with the S-byte concatenation of every rank's share (each rank held S / N).</summary>
    AllGather,

    /// <summary>Every rank ends with its S / N share of the sum of S-byte messages.</summary>
    ReduceScatter,

    /// <summary>Each rank sends its S-byte payload once to every other rank that needs it (expert dispatch or combine).</summary>
    AllToAll,

    /// <summary>One rank sends S bytes to the next pipeline stage.</summary>
    Send,
}

/// <summary>
/// One kind of collective a stage runs <see cref="Count"/> times per micro-batch. Its message per GPU is
/// <c>BytesPerGroupToken x group tokens + BytesPerToken x micro-batch tokens</c>, so it scales with the operating point;
/// which algorithm moves it, and at what cost, is decided per point by <see cref="Fabric"/>.
/// </summary>
/// <param name="GroupSize">Ranks taking part (N).</param>
/// <param name="RanksPerDomain">Ranks of the group inside one scale-up domain (N when the group fits in one).</param>
/// <param name="IntraFanout">All-to-all only: other ranks in the own domain one token's payload goes to (expected, deduplicated).</param>
/// <param name="InterFanout">All-to-all only: other domains one token's payload goes to (expected, deduplicated: sent once per domain, then forwarded inside it).</param>
internal readonly record struct Collective(
    CollectiveKind Kind,
    int GroupSize,
    int RanksPerDomain,
    int Count,
    double BytesPerGroupToken,
    double BytesPerToken,
    double IntraFanout = 0,
    double InterFanout = 0)
{
    /// <summary>Whether part of the group sits in another scale-up domain, so part of the traffic crosses the scale-out network.</summary>
    public bool Crosses => RanksPerDomain < GroupSize;

    /// <summary>Scale-up domains the group spans (fractional when the group does not fill its last domain).</summary>
    public double Domains => (double)GroupSize / RanksPerDomain;
}
