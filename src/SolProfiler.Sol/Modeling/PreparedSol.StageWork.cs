namespace SolProfiler.Sol.Modeling;

/// <summary>
/// One GPU's work on one pipeline stage for one pass: the bytes it reads, the FLOPs it runs at each operation's
/// peak, its collectives over the fabric, and the joules of all three.
/// </summary>
public sealed partial class PreparedSol
{
    /// <summary>One GPU's work for one pass on one stage: bytes, FLOPs (and their time at each operation's peak), collectives.</summary>
    private readonly record struct StageWork(double WeightBytes, double KvBytes, double Flops, double ComputeSeconds, double CommBytes, double CommSeconds, int Collectives, double Joules)
    {
        public static StageWork For(StagePlan s, PreparedSol sol, StageLoad t, double touchedExperts, double context)
        {
            var expertsOnGpu = touchedExperts / sol.Configuration.Parallelism.Ep;
            var weightBytes = s.FixedWeightBytes + (s.MoeLayers * expertsOnGpu * s.ExpertBytesPerExpert);

            // Read every cached token once per step (all query positions share the read); write the new tokens.
            var kvRead = s.KvPerTokenFull * context;
            var scorePerQuery = s.AttentionFlopsPerContextFull * context;
            var kvWritePerToken = s.KvPerTokenFull;
            foreach (var (window, perToken) in s.KvPerTokenSliding)
            {
                kvRead += perToken * Math.Min(context, window);
                kvWritePerToken += perToken;
            }

            foreach (var (window, flops) in s.AttentionFlopsPerContextSliding)
            {
                scorePerQuery += flops * Math.Min(context, window);
            }

            // Prompt tokens: attention over an L-token prefix read once for the chunk, their KV written, no LM head.
            var groupQueries = t.GroupTokens + t.GroupPrompt;
            var tokens = t.Tokens + t.Prompt;
            var kvBytes = (t.GroupSeqs * kvRead) + (t.GroupTokens * kvWritePerToken)
                + ((t.GroupPrefixReads * kvRead) + (t.GroupPrompt * kvWritePerToken));
            var linear = (groupQueries * s.LinearFlopsPerGroupToken) + (tokens * s.LinearFlopsPerToken);
            var experts = tokens * s.ExpertFlopsPerToken;
            var attention = groupQueries * scorePerQuery;
            var head = (tokens * s.RouterFlopsPerToken) + (t.Tokens * s.HeadFlopsPerToken);
            var computeSeconds = (linear * sol._linearSecondsPerFlop) + (experts * sol._expertSecondsPerFlop)
                + (attention * sol._attentionSecondsPerFlop) + (head * sol._headSecondsPerFlop);
            var flopJoules = (linear * sol._linearJoulesPerFlop) + (experts * sol._expertJoulesPerFlop)
                + (attention * sol._attentionJoulesPerFlop) + (head * sol._headJoulesPerFlop);

            double commBytes = 0, commSeconds = 0;
            foreach (var c in s.Collectives)
            {
                var message = (c.BytesPerGroupToken * groupQueries) + (c.BytesPerToken * tokens);
                var (seconds, bytes) = sol._fabric.Time(c, message);
                commSeconds += c.Count * seconds;
                commBytes += c.Count * bytes;
            }

            var joules = (sol._hbmJoulesPerByte * (weightBytes + kvBytes)) + flopJoules + (sol._linkJoulesPerByte * commBytes);
            return new StageWork(weightBytes, kvBytes, linear + experts + attention + head, computeSeconds, commBytes, commSeconds, s.CollectiveCount, joules);
        }

        /// <summary>This stage's time for a micro-batch of <paramref name="halves"/> passes (1 serial, 2 overlapped), the energy floor included.</summary>
        public double Time(PreparedSol sol, int halves)
        {
            var memoryOrCompute = Math.Max((WeightBytes + KvBytes) / sol._hbmBandwidth, ComputeSeconds);
            var roofline = halves == 1 ? memoryOrCompute + CommSeconds : halves * Math.Max(memoryOrCompute, CommSeconds);
            return Math.Max(roofline, halves * Joules / sol._powerHeadroom);
        }
    }
}
