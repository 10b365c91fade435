package dev.lbkit.core;

import java.util.List;
import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Uniformly random healthy servers ({@code choices == 1}), or the least connected of {@code
 * choices} distinct random ones (power of k choices). See {@link ServerPicker#random} and {@link
 * ServerPicker#powerOfChoices}.
 */
final class RandomPicker extends SnapshotPicker<Server[]> {

  private final RandomGenerator random;
  private final int choices;

  RandomPicker(List<Server> servers, RandomGenerator random, int choices) {
    this(servers, random, choices, false);
  }

  /** Creates a picker that, with {@code ignoreHealth}, counts every server as healthy. */
  RandomPicker(List<Server> servers, RandomGenerator random, int choices, boolean ignoreHealth) {
    super(new Membership<>(servers, healthy -> healthy, ignoreHealth));
    if (choices < 1) {
      throw new IllegalArgumentException("choices: " + choices + " (expected: >= 1)");
    }
    this.random = Objects.requireNonNull(random, "random");
    this.choices = choices;
  }

  @Override
  public @Nullable Server next() {
    Server[] healthy = membership.current().healthy;
    int n = healthy.length;
    if (n == 0) {
      return null;
    }
    int first = random.nextInt(n);
    if (choices == 1 || n == 1) {
      return healthy[first];
    }
    if (choices == 2) {
      // A second index uniform over the other n - 1 servers: the pair is a uniform 2-subset.
      int second = random.nextInt(n - 1);
      if (second >= first) {
        second++;
      }
      return lessLoaded(healthy[first], healthy[second]);
    }
    // k > 2: walk from a random start with a random stride; distinct while fewer than n steps.
    int step = 1 + random.nextInt(n - 1);
    while (gcd(step, n) != 1) {
      step = step % (n - 1) + 1;
    }
    Server best = healthy[first];
    int index = first;
    for (int c = 1; c < Math.min(choices, n); c++) {
      index = (index + step) % n;
      best = lessLoaded(best, healthy[index]);
    }
    return best;
  }

  private static Server lessLoaded(Server a, Server b) {
    return b.activeConnections() < a.activeConnections() ? b : a;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  @Override
  public String toString() {
    return (choices == 1 ? "Random" : "PowerOf" + choices + "Choices") + servers();
  }
}
