package dev.lbkit.benchmarks.placement;

import static dev.lbkit.benchmarks.placement.Candidate.Part.LOOKUP;
import static dev.lbkit.benchmarks.placement.Candidate.Part.QUALITY;

import com.dynatrace.hash4j.consistent.ConsistentBucketHasher;
import com.dynatrace.hash4j.consistent.ConsistentHashing;
import com.dynatrace.hash4j.random.PseudoRandomGeneratorProvider;
import com.google.common.hash.Hashing;
import dev.lbkit.benchmarks.Fixtures;
import dev.lbkit.benchmarks.placement.Candidate.Churn;
import dev.lbkit.benchmarks.placement.Candidate.Part;
import dev.lbkit.hashing.BoundedLoad;
import dev.lbkit.hashing.ConsistentHash;
import dev.lbkit.hashing.Maglev;
import dev.lbkit.hashing.Memento;
import dev.lbkit.hashing.Placement;
import dev.lbkit.hashing.Rendezvous;
import java.util.List;
import java.util.Set;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Everything the report measures, in the order of its tables. A new placement joins every table
 * with one line in {@link #ALL}, as {@code Memento<N>} did: {@code placement("memento", "Memento
 * jump", Memento::new)}.
 *
 * <p>Every factory must build the same mapping each time it is given the same nodes (seeded, never
 * random): {@link QualityAnalysis} compares each change against the owners of one build, and checks
 * that a second build agrees. That matters for placements whose layout depends on their history,
 * like Memento after removals: the "10% removed" candidate replays the same seeded removals on
 * every build, so a change is measured on the very state whose owners it is compared with.
 */
final class Candidates {

  /** The node counts of the report. */
  static final List<Integer> SIZES = List.of(10, 100, 1000);

  /** A Maglev table of at least 100 x 1,000 slots, for balance within 1% at n = 1,000. */
  static final int LARGE_MAGLEV_TABLE = 655_373;

  private static final Set<Part> EVERYTHING = Set.of(Part.values());
  private static final Set<Part> LOOKUP_QUALITY = Set.of(LOOKUP, QUALITY);
  private static final Set<Part> ONLY_QUALITY = Set.of(QUALITY);

  private static final Function<List<Node>, Placement<Node>> RING = Candidates::ring;
  private static final Function<List<Node>, Placement<Node>> MAGLEV = Maglev::new;

  /** The share of nodes the "removed" Memento candidate loses before it is measured. */
  static final double MEMENTO_REMOVED_SHARE = 0.1;

  /** Immutable and thread-safe, unlike {@code jumpHash(provider)} instances. */
  private static final ConsistentBucketHasher JUMP_BACK =
      ConsistentHashing.jumpBackHashSplitMix64();

  static final List<Candidate> ALL =
      List.of(
          placement("ring", "ring, 150 vnodes", RING),
          placement("maglev", "Maglev, 65,537 slots", MAGLEV),
          placement(
                  "maglev-655373",
                  "Maglev, 655,373 slots",
                  nodes -> new Maglev<>(nodes, LARGE_MAGLEV_TABLE))
              .at(1000),
          placement("rendezvous", "rendezvous", Rendezvous::new),
          placement("memento", "Memento jump", Memento::new),
          new Candidate(
              "memento-removed",
              "Memento jump, a random 10% of n removed",
              LOOKUP_QUALITY,
              Churn.ANY,
              List.of(1000),
              nodes -> new PlacementMapping(mementoWithRemovals(nodes))),
          bounded("bounded-ring", "bounded loads c=1.25 over the ring", LOOKUP_QUALITY, RING, 1.25),
          bounded(
              "bounded-maglev", "bounded loads c=1.25 over Maglev", LOOKUP_QUALITY, MAGLEV, 1.25),
          busy("bounded-ring-busy", "bounded loads over the ring, every load 1", RING),
          busy("bounded-maglev-busy", "bounded loads over Maglev, every load 1", MAGLEV),
          bounded(
                  "bounded-ring-1.10",
                  "bounded loads c=1.10 over the ring",
                  ONLY_QUALITY,
                  RING,
                  1.1)
              .at(10, 100),
          bounded(
                  "bounded-maglev-1.10",
                  "bounded loads c=1.10 over Maglev",
                  ONLY_QUALITY,
                  MAGLEV,
                  1.1)
              .at(10, 100),
          jump("guava", "Guava Hashing.consistentHash", () -> Hashing::consistentHash),
          jump(
              "hash4j-jump",
              "hash4j jumpHash",
              () ->
                  ConsistentHashing.jumpHash(PseudoRandomGeneratorProvider.splitMix64_V1())
                      ::getBucket),
          jump("hash4j-jumpback", "hash4j jumpBackHashSplitMix64", () -> JUMP_BACK::getBucket),
          new Candidate(
              "hash4j-anchor",
              "hash4j jumpBackAnchorHash",
              EVERYTHING,
              Churn.ANY,
              SIZES,
              AnchorMapping::new),
          new Candidate(
              "modulo",
              "hash mod n (not consistent: the sampling floor)",
              ONLY_QUALITY,
              Churn.LAST,
              SIZES,
              nodes -> new BucketMapping((h, n) -> (int) Long.remainderUnsigned(h, n), nodes)));

  private Candidates() {}

  private static Placement<Node> ring(List<Node> nodes) {
    return new ConsistentHash<>(nodes, ConsistentHash.DEFAULT_VIRTUAL_NODES);
  }

  /**
   * Memento over {@code nodes}, then without a seeded random {@link #MEMENTO_REMOVED_SHARE} of them
   * (rounded), removed one at a time in the order drawn: most removed buckets are not the last, so
   * lookups go through the memento table. The same nodes give the same state on every call.
   */
  static Memento<Node> mementoWithRemovals(List<Node> nodes) {
    Memento<Node> memento = new Memento<>(nodes);
    int count = (int) Math.round(nodes.size() * MEMENTO_REMOVED_SHARE);
    Fixtures.randomSample(nodes, count, Fixtures.SEED).forEach(memento::removeNode);
    return memento;
  }

  /**
   * Returns the candidate named {@code id}.
   *
   * @throws IllegalArgumentException if there is none
   */
  static Candidate byId(String id) {
    for (Candidate c : ALL) {
      if (c.id().equals(id)) {
        return c;
      }
    }
    throw new IllegalArgumentException(
        "placement: "
            + id
            + " (expected: one of "
            + ALL.stream().map(Candidate::id).toList()
            + ")");
  }

  /** An lbkit placement: every part measured, any node may leave. */
  static Candidate placement(
      String id, String label, Function<List<Node>, ? extends Placement<Node>> placement) {
    return new Candidate(
        id,
        label,
        EVERYTHING,
        Churn.ANY,
        SIZES,
        nodes -> new PlacementMapping(placement.apply(nodes)));
  }

  /**
   * Bounded loads over a base placement, every node at load 0 between assignments. Each assignment
   * reads every node's load, so one change each way is measured, not three.
   */
  private static Candidate bounded(
      String id,
      String label,
      Set<Part> parts,
      Function<List<Node>, Placement<Node>> base,
      double balanceFactor) {
    return new Candidate(
        id,
        label,
        parts,
        Churn.ANY_ONCE,
        SIZES,
        nodes -> BoundedMapping.over(base.apply(nodes), balanceFactor, 0));
  }

  /**
   * Bounded loads (c = 1.25) over a base placement in a busy fleet: every node at load 1, below
   * every cap, so no node is full but the total load must be summed on every lookup.
   */
  private static Candidate busy(
      String id, String label, Function<List<Node>, Placement<Node>> base) {
    return new Candidate(
        id,
        label,
        Set.of(LOOKUP),
        Churn.ANY_ONCE,
        SIZES,
        nodes -> BoundedMapping.over(base.apply(nodes), BoundedLoad.DEFAULT_BALANCE_FACTOR, 1));
  }

  /**
   * A jump hash: maps to bucket numbers, keeps no state, removes only the last bucket. The function
   * is made fresh for every mapping, since hash4j's {@code jumpHash} instances are not thread-safe.
   */
  private static Candidate jump(
      String id, String label, Supplier<BucketMapping.BucketFunction> function) {
    return new Candidate(
        id,
        label,
        LOOKUP_QUALITY,
        Churn.LAST,
        SIZES,
        nodes -> new BucketMapping(function.get(), nodes));
  }
}
