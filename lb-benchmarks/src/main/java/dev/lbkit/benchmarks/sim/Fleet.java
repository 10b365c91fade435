package dev.lbkit.benchmarks.sim;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * The simulated servers, in order: server {@code i} of the fleet is element {@code i} of every
 * client's server list. Immutable.
 *
 * <pre>{@code
 * Fleet fleet = Fleet.builder().add(25, fast).add(25, slow).build();
 * }</pre>
 */
public final class Fleet {

  private final List<ServerSpec> servers;

  private Fleet(List<ServerSpec> servers) {
    this.servers = List.copyOf(servers);
    if (this.servers.isEmpty()) {
      throw new IllegalArgumentException("servers: [] (expected: at least one)");
    }
  }

  /**
   * A fleet of {@code servers}, in that order.
   *
   * @throws IllegalArgumentException if {@code servers} is empty
   */
  public static Fleet of(List<ServerSpec> servers) {
    return new Fleet(servers);
  }

  /**
   * A fleet of {@code count} servers alike.
   *
   * @throws IllegalArgumentException if {@code count} is below 1
   */
  public static Fleet of(int count, ServerSpec server) {
    return builder().add(count, server).build();
  }

  /** Returns an empty builder. */
  public static Builder builder() {
    return new Builder();
  }

  /** The servers, in order. */
  public List<ServerSpec> servers() {
    return servers;
  }

  /** How many servers. */
  public int size() {
    return servers.size();
  }

  /**
   * The requests per second the servers present from the start complete at full load and nominal
   * speed; infinite if one has unlimited cores.
   */
  public double capacityPerSecond() {
    double sum = 0;
    for (ServerSpec s : servers) {
      if (s.joinAt().isZero()) {
        sum += s.capacityPerSecond();
      }
    }
    return sum;
  }

  /** Builds a fleet server by server. */
  public static final class Builder {
    private final List<ServerSpec> servers = new ArrayList<>();

    private Builder() {}

    /**
     * Adds {@code count} servers like {@code server}.
     *
     * @throws IllegalArgumentException if {@code count} is below 1
     */
    public Builder add(int count, ServerSpec server) {
      Objects.requireNonNull(server, "server");
      if (count < 1) {
        throw new IllegalArgumentException("count: " + count + " (expected: >= 1)");
      }
      servers.addAll(Collections.nCopies(count, server));
      return this;
    }

    /** Adds one server. */
    public Builder add(ServerSpec server) {
      return add(1, server);
    }

    /**
     * Returns the fleet.
     *
     * @throws IllegalArgumentException if no server was added
     */
    public Fleet build() {
      return new Fleet(servers);
    }
  }
}
