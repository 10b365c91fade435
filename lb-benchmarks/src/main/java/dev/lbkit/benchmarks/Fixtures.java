package dev.lbkit.benchmarks;

import dev.lbkit.core.Server;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Random;

/** Seeded inputs shared by the benchmarks, so every run measures the same servers and keys. */
public final class Fixtures {

  /** The seed of every random input: weights, extra connections, keys. */
  public static final long SEED = 0x1b_c0ffeeL;

  private static final String KEY_ALPHABET =
      "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

  private Fixtures() {}

  /** Returns {@code n} healthy servers of weight 1: 10.0.0.1:8080, 10.0.0.2:8080, ... */
  static List<Server> servers(int n) {
    List<Server> servers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      servers.add(new Server(host(i), 8080));
    }
    return servers;
  }

  /** Returns {@code n} healthy servers with weights drawn uniformly from 1..10. */
  static List<Server> weightedServers(int n, long seed) {
    Random random = new Random(seed);
    List<Server> servers = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      servers.add(new Server(host(i), 8080, 1 + random.nextInt(10)));
    }
    return servers;
  }

  /**
   * Marks {@code round(fraction x size)} of {@code servers} unhealthy, spread evenly over the list
   * (with 10 servers and 0.3: indexes 0, 3 and 6).
   */
  static void markUnhealthy(List<Server> servers, double fraction) {
    int n = servers.size();
    int down = (int) Math.round(n * fraction);
    for (int k = 0; k < down; k++) {
      servers.get((int) ((long) k * n / down)).setHealthy(false);
    }
  }

  /** Returns {@code count} random strings of {@code length} ASCII letters and digits. */
  public static String[] randomKeys(int count, int length, long seed) {
    Random random = new Random(seed);
    String[] keys = new String[count];
    char[] chars = new char[length];
    for (int k = 0; k < count; k++) {
      for (int c = 0; c < length; c++) {
        chars[c] = KEY_ALPHABET.charAt(random.nextInt(KEY_ALPHABET.length()));
      }
      keys[k] = new String(chars);
    }
    return keys;
  }

  /**
   * Returns {@code count} distinct elements of {@code items} chosen at random, in the order drawn
   * (a seeded shuffle's first {@code count}).
   *
   * @throws IllegalArgumentException if {@code count} is negative or above {@code items.size()}
   */
  public static <T> List<T> randomSample(List<T> items, int count, long seed) {
    if (count < 0 || count > items.size()) {
      throw new IllegalArgumentException(
          "count: " + count + " (expected: 0.." + items.size() + ")");
    }
    List<T> shuffled = new ArrayList<>(items);
    Collections.shuffle(shuffled, new Random(seed));
    return List.copyOf(shuffled.subList(0, count));
  }

  private static String host(int i) {
    return "10.0." + (i / 250) + "." + (i % 250 + 1);
  }
}
