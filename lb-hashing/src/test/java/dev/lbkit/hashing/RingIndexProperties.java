package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.IntFunction;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.Tuple;
import net.jqwik.api.constraints.IntRange;
import net.jqwik.api.constraints.Size;

/**
 * {@link RingIndex} against a plain model, a sorted list of (position, name) points where a
 * position's owner is the first point at or after it: built at once or changed a node at a time, in
 * any shape, the index holds exactly the model's points in the model's order and answers every
 * position as the model does. Positions are drawn to collide (between nodes and within one), to sit
 * at the extremes of the circle and at bucket boundaries, where real hashes almost never do.
 */
class RingIndexProperties {

  /** Node i is named "n" + i, zero-padded: its id order is its name order, as a build wants. */
  private static final int NODES = 8;

  private static final String[] NAMES = new String[NODES];

  static {
    for (int i = 0; i < NODES; i++) {
      NAMES[i] = "n" + i;
    }
  }

  /** A few positions every node may draw, so that nodes share positions. */
  private static final long[] SHARED = {
    0L, 1L, -1L, Long.MIN_VALUE, Long.MAX_VALUE, 0x4000_0000_0000_0000L, 0x8000_0000_0000_0001L
  };

  /** Positions that collide, sit at extremes or at bucket boundaries, or anywhere. */
  @SuppressWarnings("unchecked") // jqwik's frequencyOf takes a generic varargs array
  private static Arbitrary<Long> positions() {
    return Arbitraries.frequencyOf(
        Tuple.of(3, Arbitraries.of(Arrays.stream(SHARED).boxed().toList())),
        Tuple.of(2, Arbitraries.longs().between(-3, 3)),
        Tuple.of(2, Arbitraries.integers().between(0, 15).map(i -> (long) i << 60)),
        Tuple.of(5, Arbitraries.longs()));
  }

  @Provide
  Arbitrary<List<List<Long>>> pointSets() {
    return positions().list().ofMinSize(1).ofMaxSize(24).list().ofSize(NODES);
  }

  @Provide
  Arbitrary<RingIndex.Shape> shapes() {
    return Combinators.combine(
            Arbitraries.integers().between(1, 8),
            Arbitraries.integers().between(1, 5),
            Arbitraries.integers().between(0, 5))
        .as((load, flat, chunk) -> new RingIndex.Shape(load, flat, Math.min(chunk, flat)));
  }

  /** One point of the model. */
  private record Point(long position, String name) {}

  private static final Comparator<Point> RING_ORDER =
      Comparator.comparing(Point::position, Long::compareUnsigned).thenComparing(Point::name);

  @Property(tries = 200)
  void aBuildHoldsTheModelsPoints(
      @ForAll("pointSets") List<List<Long>> points,
      @ForAll @IntRange(min = 0, max = NODES) int present,
      @ForAll("shapes") RingIndex.Shape shape) {
    Map<Integer, long[]> nodes = new LinkedHashMap<>();
    for (int id = 0; id < present; id++) {
      nodes.put(id, toArray(points.get(id)));
    }
    int[] start = new int[present + 1];
    List<Long> all = new ArrayList<>();
    for (int id = 0; id < present; id++) {
      all.addAll(points.get(id));
      start[id + 1] = all.size();
    }
    RingIndex index = RingIndex.build(shape, toArray(all), start);
    assertMatchesModel(index, nodes, i -> NAMES[i]);
  }

  /**
   * Adds and removes nodes in a drawn order, each under a drawn id (ids are reused, as the ring
   * reuses them), checking the whole index against the model after every change.
   */
  @Property(tries = 300)
  void changesOneNodeAtATimeHoldTheModelsPoints(
      @ForAll("pointSets") List<List<Long>> points,
      @ForAll @Size(max = 30) List<@IntRange(min = 0, max = NODES - 1) Integer> toggles,
      @ForAll("shapes") RingIndex.Shape shape) {
    RingIndex index = RingIndex.empty(shape);
    Map<Integer, long[]> present = new LinkedHashMap<>(); // by node
    Map<Integer, Integer> idOf = new LinkedHashMap<>(); // node -> id
    String[] nameOfId = new String[NODES];
    for (int node : toggles) {
      if (present.containsKey(node)) {
        int id = idOf.remove(node);
        index = index.minus(sortedUnsigned(present.remove(node)), id);
        nameOfId[id] = null;
      } else {
        int id = 0;
        while (nameOfId[id] != null) {
          id++;
        }
        nameOfId[id] = NAMES[node];
        idOf.put(node, id);
        long[] own = toArray(points.get(node));
        present.put(node, own);
        index = index.plus(sortedUnsigned(own), id, NAMES[node], i -> nameOfId[i]);
      }
      Map<Integer, long[]> byId = new LinkedHashMap<>();
      present.forEach((n, own) -> byId.put(idOf.get(n), own));
      assertMatchesModel(index, byId, i -> nameOfId[i]);
    }
  }

  private static void assertMatchesModel(
      RingIndex index, Map<Integer, long[]> pointsById, IntFunction<String> name) {
    index.check();
    List<Point> model = new ArrayList<>();
    pointsById.forEach(
        (id, own) -> {
          for (long p : own) {
            model.add(new Point(p, name.apply(id)));
          }
        });
    model.sort(RING_ORDER);

    assertThat(index.points()).isEqualTo(model.size());
    List<Point> actual = new ArrayList<>();
    long[] positions = index.positions();
    int[] ids = index.ids();
    for (int i = 0; i < positions.length; i++) {
      actual.add(new Point(positions[i], name.apply(ids[i])));
    }
    assertThat(actual).as("points in ring order").isEqualTo(model);

    if (model.isEmpty()) {
      return;
    }
    List<Long> probes = new ArrayList<>();
    for (Point p : model) {
      probes.add(p.position());
      probes.add(p.position() - 1);
      probes.add(p.position() + 1);
    }
    for (long s : SHARED) {
      probes.add(s);
    }
    for (long b = 0; b < 16; b++) {
      probes.add(b << 60);
      probes.add((b << 60) - 1);
    }
    for (long probe : probes) {
      assertThat(name.apply(index.ownerOf(probe)))
          .as("owner of %x", probe)
          .isEqualTo(modelOwner(model, probe));
      long[] bucket = index.bucket(index.bucketOf(probe));
      int entry = RingIndex.search(bucket, index.offsetOf(probe));
      assertThat(name.apply(RingIndex.id(bucket, entry)))
          .as("search of %x", probe)
          .isEqualTo(modelOwner(model, probe));
    }
  }

  private static String modelOwner(List<Point> model, long position) {
    for (Point p : model) {
      if (Long.compareUnsigned(p.position(), position) >= 0) {
        return p.name();
      }
    }
    return model.get(0).name();
  }

  private static long[] toArray(List<Long> values) {
    return values.stream().mapToLong(Long::longValue).toArray();
  }

  private static long[] sortedUnsigned(long[] positions) {
    return Arrays.stream(positions)
        .boxed()
        .sorted(Long::compareUnsigned)
        .mapToLong(Long::longValue)
        .toArray();
  }
}
