package dev.lbkit.core;

import java.util.List;
import java.util.Objects;
import java.util.function.Predicate;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Picks one healthy server for each request. Every balancing algorithm in lbkit implements this, so
 * callers (and the contract tests) can treat them alike.
 *
 * <p>Implementations are safe to use from any number of threads. {@link #next()} never blocks and
 * never returns a server that was unhealthy before the call started; it returns null only when no
 * server is healthy. {@link #setServers} may run at any time, concurrently with picks.
 */
public interface ServerPicker {

  /**
   * Picks a healthy server.
   *
   * @return the server to use, or null when no server is healthy (or there are none)
   */
  @Nullable Server next();

  /**
   * Picks a healthy server for {@code request}. Algorithms that route by request (such as {@link
   * #consistentHash}) read its key or client IP; the others ignore it.
   *
   * @throws NullPointerException if {@code request} is null
   */
  default @Nullable Server next(Request request) {
    Objects.requireNonNull(request, "request");
    return next();
  }

  /**
   * Picks a healthy server for {@code request} that {@code admit} accepts, or null when there is
   * none. The algorithm's own pick is offered first; if {@code admit} refuses it, the other healthy
   * servers are offered in this picker's order after it (list order, or ring order for {@link
   * #consistentHash}), each at most once. {@code admit} may have side effects such as taking a
   * rate-limit token: the server it accepts is the one returned.
   *
   * @throws NullPointerException if an argument is null
   */
  default @Nullable Server next(Request request, Predicate<? super Server> admit) {
    Objects.requireNonNull(admit, "admit");
    Server first = next(request);
    if (first == null || admit.test(first)) {
      return first;
    }
    List<Server> all = servers();
    int n = all.size();
    int start = all.indexOf(first);
    for (int step = 1; step < n; step++) {
      Server candidate = all.get((start + step) % n);
      if (candidate.isHealthy() && admit.test(candidate)) {
        return candidate;
      }
    }
    return null;
  }

  /** Returns all servers this picker chooses among, healthy or not, in list order. */
  List<Server> servers();

  /**
   * Replaces the servers this picker chooses among. Picks already under way finish on the old list;
   * picks that start after this method returns use the new one. Per-server state such as connection
   * counts lives on the {@link Server}, so servers kept across the change keep it.
   *
   * @throws NullPointerException if {@code servers} or an element is null
   * @throws IllegalArgumentException if two servers have the same {@link Server#id()}
   */
  void setServers(List<Server> servers);

  /**
   * Returns a picker of uniformly random healthy servers. O(1) per pick.
   *
   * @param random the random source; must be thread-safe if the picker is shared by threads (see
   *     {@link RandomSources})
   */
  static ServerPicker random(List<Server> servers, RandomGenerator random) {
    return new PolicyPicker(servers, new RandomPolicy(random, 1));
  }

  /**
   * Returns a "power of k choices" picker: of {@code choices} distinct random healthy servers, the
   * one with the fewest active connections. With {@code choices == 2} this is the classic power of
   * two choices: nearly as balanced as a full scan at O(1) per pick, and never the most loaded
   * server. O(choices) per pick, no allocation.
   *
   * @throws IllegalArgumentException if {@code choices} is below 1
   */
  static ServerPicker powerOfChoices(List<Server> servers, int choices, RandomGenerator random) {
    return new PolicyPicker(servers, new RandomPolicy(random, choices));
  }

  /**
   * Returns a picker of the healthy server with the lowest {@link Server#load()}, ties broken by
   * fewer active connections, then in round-robin order. O(n) per pick, no allocation.
   */
  static ServerPicker leastLoaded(List<Server> servers) {
    return new PolicyPicker(servers, new LeastPolicy(LeastPolicy.Measure.LOAD));
  }

  /**
   * Returns a picker that routes a request to the owner of its {@linkplain Request#key() key} (or,
   * without a key, its client IP) on a consistent hash ring of the healthy servers, 150 virtual
   * nodes each; a request with neither goes round robin. When a key's server is unhealthy the key
   * goes to the next server on the ring, the same one in every process, and comes back when the
   * server recovers. {@link #next()} without a request is round robin. O(log n) per pick.
   */
  static ServerPicker consistentHash(List<Server> servers) {
    return new PlacementPicker(servers);
  }
}
