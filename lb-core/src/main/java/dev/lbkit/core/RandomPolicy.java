package dev.lbkit.core;

import java.util.Objects;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * Uniformly random candidates ({@code choices == 1}), or the least connected of {@code choices}
 * distinct random ones (power of k choices). See {@link ServerPicker#random} and {@link
 * ServerPicker#powerOfChoices}.
 */
final class RandomPolicy extends Policy<Server[]> {

  private final RandomGenerator random;
  private final int choices;

  RandomPolicy(RandomGenerator random, int choices) {
    if (choices < 1) {
      throw new IllegalArgumentException("choices: " + choices + " (expected: >= 1)");
    }
    this.random = Objects.requireNonNull(random, "random");
    this.choices = choices;
  }

  @Override
  Server[] derive(Server[] candidates, Server @Nullable [] previous) {
    return candidates;
  }

  @Override
  int propose(Server[] state, Server[] candidates, Request request) {
    int n = candidates.length;
    int first = random.nextInt(n);
    if (choices == 1 || n == 1) {
      return first;
    }
    if (choices == 2) {
      return lessLoaded(candidates, first, secondOfTwo(random, first, n));
    }
    // k > 2: walk from a random start with a random stride; distinct while fewer than n steps.
    int step = 1 + random.nextInt(n - 1);
    while (gcd(step, n) != 1) {
      step = step % (n - 1) + 1;
    }
    int best = first;
    int index = first;
    for (int c = 1; c < Math.min(choices, n); c++) {
      index = (index + step) % n;
      best = lessLoaded(candidates, best, index);
    }
    return best;
  }

  /**
   * Returns an index uniform over the {@code n - 1} indices other than {@code first}, so that
   * ({@code first}, the result) is a uniform 2-subset; {@code n} is at least 2.
   */
  static int secondOfTwo(RandomGenerator random, int first, int n) {
    int second = random.nextInt(n - 1);
    return second >= first ? second + 1 : second;
  }

  private static int lessLoaded(Server[] candidates, int a, int b) {
    return candidates[b].activeConnections() < candidates[a].activeConnections() ? b : a;
  }

  private static int gcd(int a, int b) {
    return b == 0 ? a : gcd(b, a % b);
  }

  @Override
  String name() {
    return choices == 1 ? "Random" : "PowerOf" + choices + "Choices";
  }
}
