package dev.lbkit.hashing;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ArbitrarySupplier;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Test helpers for weights, probe orders and bounded loads: the three placements as one enum,
 * weighted builds in a chosen insertion order, weighted node sets drawn by jqwik, and the bounded
 * load cap in exact arithmetic.
 */
final class WeightedPlacements {

  private WeightedPlacements() {}

  /**
   * The three placements with weights, each at its defaults, and Maglev with a small table too:
   * cheap to rebuild, for properties that change a placement many times.
   */
  enum Kind {
    RING,
    MAGLEV,
    RENDEZVOUS,
    SMALL_MAGLEV;

    /** The three placements at their defaults. */
    static final List<Kind> DEFAULTS = List.of(RING, MAGLEV, RENDEZVOUS);

    /** The three placements, Maglev with a table of 1,009 slots. */
    static final List<Kind> CHEAP = List.of(RING, SMALL_MAGLEV, RENDEZVOUS);

    /** Builds this placement over {@code nodes}, each of weight 1. */
    <N> Placement<N> create(Collection<N> nodes) {
      return switch (this) {
        case RING -> new ConsistentHash<>(nodes);
        case MAGLEV -> new Maglev<>(nodes);
        case RENDEZVOUS -> new Rendezvous<>(nodes);
        case SMALL_MAGLEV -> new Maglev<>(nodes, 1009);
      };
    }

    /** Builds this placement by adding {@code weights}' nodes one by one, in {@code order}. */
    Placement<String> build(Map<String, Integer> weights, List<String> order) {
      return addAll(create(List.of()), weights, order);
    }

    /** Builds this placement by adding {@code weights}' nodes in their map order. */
    Placement<String> build(Map<String, Integer> weights) {
      return build(weights, new ArrayList<>(weights.keySet()));
    }
  }

  /**
   * Adds each node of {@code order} to {@code placement} with its weight; returns the placement.
   */
  static <P extends Placement<String>> P addAll(
      P placement, Map<String, Integer> weights, List<String> order) {
    for (String node : order) {
      placement.addNode(node, weights.get(node));
    }
    return placement;
  }

  /** Returns {@code nodes} shuffled by {@code random}, as a new list. */
  static List<String> shuffled(Collection<String> nodes, Random random) {
    List<String> order = new ArrayList<>(nodes);
    Collections.shuffle(order, random);
    return order;
  }

  /** The sum of the weights. */
  static long totalWeight(Map<String, Integer> weights) {
    return weights.values().stream().mapToLong(Integer::longValue).sum();
  }

  /** Returns {@code nodes}, in their order, each with the same {@code weight}. */
  static Map<String, Integer> uniform(Collection<String> nodes, int weight) {
    Map<String, Integer> weights = new LinkedHashMap<>();
    for (String node : nodes) {
      weights.put(node, weight);
    }
    return weights;
  }

  /**
   * The bounded-load cap, {@code ceil(c x (T + 1) x w / W)}, in exact decimal arithmetic: {@code c}
   * is read as the decimal it is written as (1.1, not the binary double nearest to it), so the cap
   * is the one a user computes by hand.
   */
  static long cap(double balanceFactor, long total, long weight, long totalWeight) {
    return BigDecimal.valueOf(balanceFactor)
        .multiply(BigDecimal.valueOf(total + 1))
        .multiply(BigDecimal.valueOf(weight))
        .divide(BigDecimal.valueOf(totalWeight), 0, RoundingMode.CEILING)
        .longValueExact();
  }

  /** Node names such as "10.0.0.7:8080", "cache-a" or "q": short, varied, any order. */
  static Arbitrary<String> nodeNames() {
    return Arbitraries.strings()
        .withCharRange('a', 'z')
        .withCharRange('0', '9')
        .withChars(".:-")
        .ofMinLength(1)
        .ofMaxLength(14);
  }

  /**
   * Distinct node names, {@code min} to {@code max} of them, each with a weight in {@code [1,
   * maxWeight]}, in the (random) order jqwik drew them.
   */
  static Arbitrary<Map<String, Integer>> weightedSets(int min, int max, int maxWeight) {
    return nodeNames()
        .list()
        .uniqueElements()
        .ofMinSize(min)
        .ofMaxSize(max)
        .flatMap(
            names ->
                Arbitraries.integers()
                    .between(1, maxWeight)
                    .list()
                    .ofSize(names.size())
                    .map(
                        weights -> {
                          Map<String, Integer> set = new LinkedHashMap<>();
                          for (int i = 0; i < names.size(); i++) {
                            set.put(names.get(i), weights.get(i));
                          }
                          return set;
                        }));
  }

  /** A JUnit test run for each of {@link Kind#CHEAP}: the ring, a small Maglev, Rendezvous. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"RING", "SMALL_MAGLEV", "RENDEZVOUS"})
  @interface ForEachCheapKind {}

  /** A JUnit test run for each of {@link Kind#DEFAULTS}: the ring, Maglev, Rendezvous. */
  @Retention(RetentionPolicy.RUNTIME)
  @Target(ElementType.METHOD)
  @ParameterizedTest(name = "{0}")
  @EnumSource(names = {"RING", "MAGLEV", "RENDEZVOUS"})
  @interface ForEachDefaultKind {}

  /** For jqwik: {@link Kind#CHEAP}. */
  static final class CheapKinds implements ArbitrarySupplier<Kind> {
    @Override
    public Arbitrary<Kind> get() {
      return Arbitraries.of(Kind.CHEAP);
    }
  }

  /** For jqwik: 5 to 30 nodes of weights 1 to 5. */
  static final class WeightedSets implements ArbitrarySupplier<Map<String, Integer>> {
    @Override
    public Arbitrary<Map<String, Integer>> get() {
      return weightedSets(5, 30, 5);
    }
  }

  /** For jqwik: 1 to 12 nodes of weights 1 to 5. */
  static final class SmallWeightedSets implements ArbitrarySupplier<Map<String, Integer>> {
    @Override
    public Arbitrary<Map<String, Integer>> get() {
      return weightedSets(1, 12, 5);
    }
  }

  /** Asserts that {@code call} throws a NullPointerException naming {@code argument}. */
  static void assertNullRejected(ThrowingCallable call, String argument) {
    assertThatThrownBy(call)
        .isInstanceOf(NullPointerException.class)
        .hasMessageContaining(argument);
  }
}
