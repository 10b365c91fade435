package dev.lbkit.benchmarks.sim;

import dev.lbkit.core.Algorithm;
import dev.lbkit.core.Lease;
import dev.lbkit.core.LoadBalancer;
import dev.lbkit.core.Request;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * A client's {@link LoadBalancer}: each call is a lease from {@code acquire}, kept by call id and
 * closed when the response arrives (failed first if the server refused the call).
 */
final class FacadeRouter implements Router {

  /** The failure a refused call's lease reports; one per router, no stack trace. */
  private final Exception refused =
      new Exception("refused: the server was at its queue limit", null, false, false) {
        private static final long serialVersionUID = 1L;
      };

  private final Client client;
  private final LoadBalancer balancer;
  private @Nullable Lease[] leases = new Lease[64];

  FacadeRouter(Client client, Algorithm algorithm, UnaryOperator<LoadBalancer.Builder> options) {
    this.client = client;
    LoadBalancer.Builder builder =
        LoadBalancer.builder(client.initialMembers())
            .algorithm(algorithm)
            .ticker(client.ticker())
            .random(client.random());
    this.balancer = options.apply(builder).build();
  }

  /** The name of {@code algorithm} in tables: "round robin", "P2C", "peak EWMA" ... */
  static String label(Algorithm algorithm) {
    switch (algorithm.name()) {
      case "POWER_OF_TWO_CHOICES":
        return "P2C";
      case "PEAK_EWMA":
        return "peak EWMA";
      default:
        return algorithm.name().toLowerCase(Locale.ROOT).replace('_', ' ');
    }
  }

  @Override
  public int pick(int call) {
    Lease lease = balancer.acquire(Request.empty());
    if (call >= leases.length) {
      leases = Arrays.copyOf(leases, Math.max(call + 1, leases.length * 2));
    }
    leases[call] = lease;
    return client.indexOf(lease.server());
  }

  @Override
  public void complete(int call, int server, long latencyNanos, boolean success) {
    Lease lease = leases[call];
    leases[call] = null;
    if (lease == null) {
      throw new IllegalStateException("call: " + call + " (expected: one in flight)");
    }
    if (!success && latencyNanos == 0) {
      lease.fail(refused);
    }
    lease.close();
  }

  @Override
  public void joined(int server) {
    balancer.addServer(client.servers().get(server));
  }
}
