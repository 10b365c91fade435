package dev.lbkit.core;

import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * Round robin: servers in strict list order, 0, 1, 2, 0, 1, ..., skipping unhealthy ones.
 *
 * <p>Precisely: the k-th pick over this balancer's life (k from 0) returns the {@code (k mod h)}-th
 * of the {@code h} servers healthy at that moment, in list order. So with servers a, b, c the picks
 * go a, b, c, a; after b is marked unhealthy the next two are a, then c. Over any h consecutive
 * picks with stable health, each healthy server is picked exactly once, also when the picks come
 * from many threads at once.
 *
 * <p>{@link #next()}: O(1), one volatile read and one atomic increment, no allocation, no lock. The
 * counter is a 64-bit sequence read as unsigned, so it does not wrap in the life of any process
 * (2^64 picks at a billion a second take 584 years); 32-bit counters that go negative after 2^31
 * picks broke Ribbon and Spring Cloud LoadBalancer. A health or weight change of one of its servers
 * rebuilds the healthy list once, O(n), on the thread that made the change; picks never rebuild.
 */
public final class RoundRobin extends PolicyPicker {

  /**
   * Creates a round robin over {@code servers}, in list order.
   *
   * @throws NullPointerException if {@code servers} or an element is null
   * @throws IllegalArgumentException if two servers have the same id
   */
  public RoundRobin(List<Server> servers) {
    this(servers, 0);
  }

  /** Creates a round robin whose first pick has sequence number {@code firstSequence}. */
  RoundRobin(List<Server> servers, long firstSequence) {
    super(servers, new RoundRobinPolicy(firstSequence));
  }

  /**
   * Returns the next healthy server in round-robin order, or null when none is healthy. O(1); no
   * allocation.
   */
  @Override
  public @Nullable Server next() {
    return super.next();
  }
}
