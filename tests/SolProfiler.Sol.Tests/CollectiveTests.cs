using SolProfiler.Sol.Hardware;
using SolProfiler.Sol.Modeling;

namespace SolProfiler.Sol.Tests;

/// <summary>
/// Each collective algorithm's time, by hand, on <see cref="Sol.RoundGpu"/>: scale-up 100 GB/s per direction, floor
/// a = 10 us per phase; scale-out 10 GB/s, floor 20 us; domain 8.
/// </summary>
public class CollectiveTests
{
    private const double Up = 1e11;
    private const double A = 1e-5;
    private const double Out = 1e10;
    private const double AOut = 2e-5;

    private static Fabric Fabric(params CollectiveAlgorithm[] algorithms) => new(Sol.RoundGpu(algorithms));

    private static Collective AllReduce(int ranks, int perDomain = 0) => new(CollectiveKind.AllReduce, ranks, perDomain == 0 ? ranks : perDomain, 1, 0, 1);

    [Fact]
    public void Ring_all_reduce_moves_two_N_minus_one_over_N_of_the_message_in_two_phases()
    {
        // 8 ranks, 1 MB: 2 x 7/8 x 1e6 = 1.75e6 B; 1.75e6 / 1e11 = 17.5 us, + 2 x 10 us = 37.5 us
        var (seconds, bytes) = Fabric(CollectiveAlgorithm.Ring).Time(AllReduce(8), 1e6);
        Assert.Equal(1.75e6, bytes, 6);
        Sol.Close(37.5e-6, seconds);
    }

    [Fact]
    public void One_shot_reads_every_peer_in_one_phase_and_wins_below_its_crossover_with_the_ring()
    {
        // one-shot: 7 S / Up + a; ring: 1.75 S / Up + 2a. Equal at S* = a Up / (7 - 1.75) = 1e6 / 5.25 = 190,476 B.
        var fabric = Fabric(CollectiveAlgorithm.Ring, CollectiveAlgorithm.OneShot);
        var small = fabric.Time(AllReduce(8), 16_384);      // 7 x 16,384 = 114,688 B -> 1.147 us + 10 us
        Assert.Equal(7 * 16_384.0, small.Bytes, 6);
        Sol.Close((114_688 / Up) + A, small.Seconds);

        var crossover = A * Up / 5.25;
        Assert.Equal(7 * crossover * 0.99, fabric.Time(AllReduce(8), crossover * 0.99).Bytes, 3); // just below: one-shot
        Assert.Equal(1.75 * crossover * 1.01, fabric.Time(AllReduce(8), crossover * 1.01).Bytes, 3); // just above: ring
    }

    [Fact]
    public void In_switch_reduction_sends_and_receives_the_message_once_in_one_phase_and_so_beats_both()
    {
        // in-switch: S / Up + a; one-shot: 7 S / Up + a; ring: 1.75 S / Up + 2a. Same floor as one-shot and the
        // least volume: in-switch wins at every size, small (S = 1 kB: 0.01 + 10 us) and large (S = 1 MB: 10 + 10 us).
        var fabric = Fabric(CollectiveAlgorithm.Ring, CollectiveAlgorithm.OneShot, CollectiveAlgorithm.InSwitch);
        var big = fabric.Time(AllReduce(8), 1e6);
        Assert.Equal(1e6, big.Bytes, 6);
        Sol.Close(20e-6, big.Seconds);
        var small = fabric.Time(AllReduce(8), 1e3);
        Assert.Equal(1e3, small.Bytes, 6);
        Sol.Close(10.01e-6, small.Seconds);

        // Without it the same fabric crosses from one-shot to ring at S = a Up / 5.25 (the one-shot test above).
        var crossover = A * Up / 5.25;
        var withoutSwitch = Fabric(CollectiveAlgorithm.Ring, CollectiveAlgorithm.OneShot);
        Assert.Equal(7 * crossover * 0.99, withoutSwitch.Time(AllReduce(8), crossover * 0.99).Bytes, 3);
        Assert.Equal(crossover * 1.01, fabric.Time(AllReduce(8), crossover * 1.01).Bytes, 3);
    }

    [Fact]
    public void At_two_ranks_one_shot_and_ring_move_the_same_bytes_and_one_shot_saves_a_phase()
    {
        // N = 2: ring 2 x 1/2 S = S in 2 phases; one-shot 1 x S in 1 phase.
        var (seconds, bytes) = Fabric(CollectiveAlgorithm.Ring, CollectiveAlgorithm.OneShot).Time(AllReduce(2), 1e6);
        Assert.Equal(1e6, bytes, 6);
        Sol.Close((1e6 / Up) + A, seconds);
    }

    [Fact]
    public void An_all_reduce_over_two_domains_pays_the_network_for_the_part_that_crosses()
    {
        // 16 ranks, 8 per domain, 1 MB, ring inside: 1.75e6 B at 100 GB/s = 17.5 us, 2 phases of 10 us;
        // across the 2 domains, rail by rail: 2 (M-1)/M x S / 8 = 2 x 1/2 x 125,000 = 125,000 B at 10 GB/s = 12.5 us;
        // the two stream under each other: max(17.5, 12.5) + 20 us + 2 x 20 us = 77.5 us.
        var (seconds, bytes) = Fabric(CollectiveAlgorithm.Ring).Time(AllReduce(16, perDomain: 8), 1e6);
        Assert.Equal(1.75e6 + 125_000, bytes, 6);
        Sol.Close(77.5e-6, seconds);
    }

    [Fact]
    public void All_gather_moves_N_minus_one_over_N_in_one_phase_and_across_domains_its_share_per_rail()
    {
        var fabric = Fabric(CollectiveAlgorithm.Ring);
        // 8 ranks, 1 MB gathered: 7/8 MB at 100 GB/s = 8.75 us + 10 us
        Sol.Close(18.75e-6, fabric.Time(new Collective(CollectiveKind.AllGather, 8, 8, 1, 0, 1), 1e6).Seconds);
        // 16 ranks over 2 domains: inside 7/8 MB (8.75 us); across (M-1)/M x S/8 = 62,500 B at 10 GB/s = 6.25 us;
        // max(8.75, 6.25) + 10 + 20 us = 38.75 us
        Sol.Close(38.75e-6, fabric.Time(new Collective(CollectiveKind.AllGather, 16, 8, 1, 0, 1), 1e6).Seconds);
    }

    [Fact]
    public void All_to_all_sends_the_payload_once_per_destination_rank_and_once_per_remote_domain()
    {
        var fabric = Fabric(CollectiveAlgorithm.Ring);
        // inside one domain: 100 kB x 4.633 ranks = 463.3 kB at 100 GB/s = 4.633 us + 10 us
        var inside = fabric.Time(new Collective(CollectiveKind.AllToAll, 8, 8, 1, 0, 1, IntraFanout: 4.633, InterFanout: 0), 1e5);
        Sol.Close((4.633e5 / Up) + A, inside.Seconds);
        // two domains: 100 kB x 2.854 inside (2.854 us) and 100 kB x 0.9965 across (9.965 us): max + the network's 20 us
        var across = fabric.Time(new Collective(CollectiveKind.AllToAll, 16, 8, 1, 0, 1, IntraFanout: 2.854, InterFanout: 0.9965), 1e5);
        Sol.Close((0.9965e5 / Out) + AOut, across.Seconds);
        Assert.Equal(1e5 * (2.854 + 0.9965), across.Bytes, 3);
    }

    [Fact]
    public void A_pipeline_send_inside_the_domain_uses_the_link_and_across_it_the_network()
    {
        var fabric = Fabric(CollectiveAlgorithm.Ring);
        Sol.Close((1e6 / Up) + A, fabric.Time(new Collective(CollectiveKind.Send, 2, 2, 1, 0, 1), 1e6).Seconds);
        Sol.Close((1e6 / Out) + AOut, fabric.Time(new Collective(CollectiveKind.Send, 2, 1, 1, 0, 1), 1e6).Seconds);
    }

    [Theory]
    [InlineData(1, "one-shot")]   // 80 x 2 all-reduces of 1 x 8,192 x 2 B = 16,384 B: below the 190 kB crossover
    [InlineData(16, "ring")]      // 262,144 B: above it
    public void Llama_70B_at_TP_8_pays_each_all_reduce_at_its_best_algorithm(int batch, string expected)
    {
        // Dense TP 8: 160 all-reduces of S = B x h x 2 bytes per step, nothing else crosses a link.
        var sol = Sol.Prepare("llama-3.1-70b", Sol.RoundGpu([CollectiveAlgorithm.Ring, CollectiveAlgorithm.OneShot]), new Parallelism(Tp: 8));
        var r = sol.Evaluate(batch, 0);
        var s = batch * 8192 * 2.0;
        var perCollective = expected == "one-shot" ? ((7 * s / Up) + A, 7 * s) : ((1.75 * s / Up) + (2 * A), 1.75 * s);
        Assert.Equal(SolSchedule.Serial, r.Schedule);
        Assert.Equal(160, r.CollectivesPerStep);
        Sol.Close(160 * perCollective.Item1, r.Seconds.Comm);
        Sol.Close(160 * perCollective.Item2, r.CommBytesPerGpu);
    }
}
