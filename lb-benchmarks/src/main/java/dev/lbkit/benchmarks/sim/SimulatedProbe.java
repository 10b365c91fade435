package dev.lbkit.benchmarks.sim;

import dev.lbkit.core.LoadProbe;
import dev.lbkit.core.LoadReport;
import dev.lbkit.core.Server;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A Prequal probe over a simulated network: it reaches the server {@code oneWayNanos} after it is
 * sent, the server answers with its {@link dev.lbkit.core.LoadReporter}'s snapshot at that moment,
 * and the answer reaches the client {@code oneWayNanos} later.
 */
final class SimulatedProbe implements LoadProbe {

  private final Client client;
  private final long oneWayNanos;

  SimulatedProbe(Client client, long oneWayNanos) {
    this.client = client;
    this.oneWayNanos = oneWayNanos;
  }

  @Override
  public CompletionStage<LoadReport> probe(Server server) {
    int i = client.indexOf(server);
    CompletableFuture<LoadReport> answer = new CompletableFuture<>();
    client.schedule(
        oneWayNanos,
        () -> {
          LoadReport report = client.fleet().loadReport(i);
          client.schedule(oneWayNanos, () -> answer.complete(report));
        });
    return answer;
  }
}
