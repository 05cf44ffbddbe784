namespace SolProfiler.Sol.Modeling;

/// <summary>What fits in HBM: resident weights plus the KV of the batch on the fullest stage, and the largest batch that would fit.</summary>
public sealed partial class PreparedSol
{
    /// <summary>Whether weights plus KV for B sequences of L tokens fit on every GPU, and the largest B that would.</summary>
    private (bool Fits, long? MaxBatch, double Weights, double Kv) Capacity(StagePlan[] stages, int batch, double context)
    {
        var dp = Configuration.Parallelism.AttentionDp;
        var heldSeqs = dp > 1 ? Math.Ceiling((double)batch / dp) : batch;
        var fits = true;
        long? maxBatch = null;
        double worstWeights = 0, worstKv = 0, worstTotal = double.NegativeInfinity;
        foreach (var stage in stages)
        {
            var perSeq = KvPerSequence(stage, context);
            var kv = heldSeqs * perSeq;
            if (stage.ResidentWeightBytes + kv > worstTotal)
            {
                worstTotal = stage.ResidentWeightBytes + kv;
                worstWeights = stage.ResidentWeightBytes;
                worstKv = kv;
            }

            fits &= stage.ResidentWeightBytes + kv <= _memoryBytes;
            var free = _memoryBytes - stage.ResidentWeightBytes;
            if (perSeq > 0 || free < 0)
            {
                var perGroup = free < 0 ? 0 : (long)Math.Floor(free / perSeq);
                var stageMax = perGroup * dp;
                maxBatch = maxBatch is null ? stageMax : Math.Min(maxBatch.Value, stageMax);
            }
        }

        return (fits, maxBatch, worstWeights, worstKv);
    }

    private static double KvPerSequence(StagePlan stage, double context)
    {
        var bytes = stage.KvPerTokenFull * context;
        foreach (var (window, perToken) in stage.KvPerTokenSliding)
        {
            bytes += perToken * Math.Min(context, window);
        }

        return bytes;
    }
}
