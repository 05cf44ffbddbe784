using SolProfiler.Telemetry.Serving;

namespace SolProfiler.Analysis.Windows;

/// <summary>
/// The decode step as the slots show it (llama.cpp <c>/slots</c>): between two reads, a slot still serving the same
/// request advanced by as many tokens as the engine ran steps for it, so wall time over tokens generated is the mean
/// step, live and unbiased (the server's own seconds counters cover n − 1 steps per request of n tokens and move only
/// when a request ends). Pairs whose slot changed request, was idle or did not advance are skipped: a prompt phase
/// inside the interval would otherwise read as a slow step.
/// </summary>
internal struct SlotProgress
{
    private ServingSlots? _previous;

    /// <summary>Sum over slot pairs of the wall time between the two reads, seconds.</summary>
    public double SlotSeconds { get; private set; }

    /// <summary>Tokens the paired slots generated between their reads.</summary>
    public double Tokens { get; private set; }

    /// <summary>Processing slots over all reads, and the reads, for the mean batch and context.</summary>
    public double ProcessingSlots { get; private set; }

    public double ContextTokens { get; private set; }

    public int Reads { get; private set; }

    public void Add(ServingSlots? slots)
    {
        if (slots is null)
        {
            _previous = null;
            return;
        }

        Reads++;
        foreach (var slot in slots.Slots)
        {
            if (slot.Processing)
            {
                ProcessingSlots++;
                ContextTokens += slot.ContextTokens;
            }
        }

        if (_previous is { } before && slots.ReadAt > before.ReadAt)
        {
            var seconds = (slots.ReadAt - before.ReadAt).TotalSeconds;
            foreach (var now in slots.Slots)
            {
                if (!now.Processing || now.Task is null || Find(before, now.Id) is not { Processing: true } then || then.Task != now.Task)
                {
                    continue;
                }

                // A slot that has not started generating yet (prompt phase) or has not advanced says nothing about the step.
                var advanced = now.DecodedTokens - then.DecodedTokens;
                if (advanced >= 1 && then.DecodedTokens >= 1)
                {
                    SlotSeconds += seconds;
                    Tokens += advanced;
                }
            }
        }

        _previous = slots;
    }

    /// <summary>Mean wall time per generated token per slot; null without a slot that advanced between two reads.</summary>
    public readonly double? StepSeconds => Tokens > 0 ? SlotSeconds / Tokens : null;

    /// <summary>Mean processing slots per read.</summary>
    public readonly double? MeanProcessing => Reads > 0 ? ProcessingSlots / Reads : null;

    /// <summary>Mean context (prompt plus generated tokens) per processing slot.</summary>
    public readonly double? MeanContext => ProcessingSlots > 0 ? ContextTokens / ProcessingSlots : null;

    private static SlotState? Find(ServingSlots slots, int id)
    {
        foreach (var s in slots.Slots)
        {
            if (s.Id == id)
            {
                return s;
            }
        }

        return null;
    }
}
