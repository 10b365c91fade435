package dev.lbkit.benchmarks.sim;

import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * What one simulated client process has to build its balancer: its own {@link Server} objects (one
 * per fleet server, whose {@link Server#activeConnections()} count only this client's calls), the
 * simulated clock, its own random stream, and timers. Given to {@link Policy#router}.
 */
public interface Client {

  /** This client's number, from 0. */
  int index();

  /**
   * This client's servers, one per fleet server in fleet order, members or not yet; each has the
   * fleet server's weight, host {@code backend-<i>} and port 8080.
   */
  List<Server> servers();

  /** The servers that are members when the run starts, in fleet order. */
  List<Server> initialMembers();

  /**
   * The fleet index of {@code server}, one of {@link #servers()}.
   *
   * @throws IllegalArgumentException if it is not one of this client's servers
   */
  int indexOf(Server server);

  /** The simulated clock: nanoseconds from the start of the run. */
  Ticker ticker();

  /** This client's own random stream, split from the run's seed. */
  RandomGenerator random();

  /**
   * The servers' true state, for probes and oracles: a balancer with local knowledge only must not
   * read it (a probe reads it when its answer arrives, through {@link #schedule}).
   */
  FleetView fleet();

  /**
   * Runs {@code action} on the simulation thread {@code delayNanos} from now: a timer, or the
   * answer to a probe sent now.
   *
   * @throws IllegalArgumentException if {@code delayNanos} is negative
   */
  void schedule(long delayNanos, Runnable action);
}
