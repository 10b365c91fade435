package dev.lbkit.benchmarks.sim;

import dev.lbkit.core.Algorithm;
import dev.lbkit.core.Lease;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.PeakEwma;
import dev.lbkit.core.Request;
import dev.lbkit.core.Server;
import dev.lbkit.core.Ticker;
import java.util.List;
import java.util.random.RandomGenerator;

/**
 * A balancing algorithm under test, and how the simulation drives it. The first four are the {@link
 * LoadBalancer} facade with that {@link Algorithm}: a call is a {@link Lease} from {@code
 * tryAcquire}, closed when its response arrives, so the facade counts every call in flight. Peak
 * EWMA is the standalone {@link PeakEwma} picker: a call is counted with its {@code connect} and
 * {@code disconnect}, and its latency (by the simulated clock) fed to {@code observe}.
 */
enum Policy {
  ROUND_ROBIN("round robin", "RR"),
  RANDOM("random", "random"),
  LEAST_CONNECTIONS("least connections", "LC"),
  POWER_OF_TWO_CHOICES("P2C (least connections of 2)", "P2C"),
  PEAK_EWMA("peak EWMA (P2C, decay 10 s)", "peak EWMA") {
    @Override
    Router router(List<Server> servers, Ticker ticker, RandomGenerator random) {
      PeakEwma picker = new PeakEwma(servers, ticker, random, PeakEwma.DEFAULT_DECAY);
      return () -> {
        Server server = picker.next();
        if (server == null) {
          throw new IllegalStateException("no healthy server among " + servers);
        }
        picker.connect(server);
        long start = ticker.read();
        return new Call(
            server,
            () -> {
              picker.disconnect(server);
              picker.observe(server, ticker.read() - start);
            });
      };
    }
  };

  /** Routes one request at a time; each call must be closed when its response arrives. */
  interface Router {
    /** Picks a server for the next request and counts the call on it. */
    Call open();
  }

  /** A call in flight on {@code server}; {@code close} ends it. */
  record Call(Server server, Runnable close) {}

  private final String label;
  private final String shortLabel;

  Policy(String label, String shortLabel) {
    this.label = label;
    this.shortLabel = shortLabel;
  }

  /** The name in tables. */
  String label() {
    return label;
  }

  /** The name on the chart. */
  String shortLabel() {
    return shortLabel;
  }

  /**
   * Returns a fresh router over {@code servers}, on {@code ticker}, drawing from {@code random}.
   */
  Router router(List<Server> servers, Ticker ticker, RandomGenerator random) {
    LoadBalancer balancer =
        LoadBalancer.builder(servers).algorithm(algorithm()).ticker(ticker).random(random).build();
    Request request = Request.empty();
    return () -> {
      Lease lease = balancer.acquire(request);
      return new Call(lease.server(), lease::close);
    };
  }

  private Algorithm algorithm() {
    switch (this) {
      case ROUND_ROBIN:
        return Algorithm.ROUND_ROBIN;
      case RANDOM:
        return Algorithm.RANDOM;
      case LEAST_CONNECTIONS:
        return Algorithm.LEAST_CONNECTIONS;
      case POWER_OF_TWO_CHOICES:
        return Algorithm.POWER_OF_TWO_CHOICES;
      default:
        throw new AssertionError(this + " is not a facade algorithm");
    }
  }
}
