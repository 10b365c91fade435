package dev.lbkit.core;

import java.util.concurrent.CompletionStage;

/**
 * Asks one server for its {@link LoadReport}: the probe of {@link Algorithm#PREQUAL}. Yours to
 * implement over whatever the servers speak (an HTTP endpoint that returns a {@link LoadReporter}'s
 * snapshot, a gRPC call, or, in a simulator, a direct read).
 *
 * <p>Called on the {@linkplain PrequalConfig.Builder#executor executor} of the picker, never on a
 * request's thread, and never under a lock of lbkit's. It should return at once and complete the
 * stage when the answer arrives; it should bound its own wait (a probe that never completes is
 * simply never used). A probe that throws, returns null or completes exceptionally is ignored.
 */
@FunctionalInterface
public interface LoadProbe {

  /** Starts a probe of {@code server}; the stage completes with its report. */
  CompletionStage<LoadReport> probe(Server server);
}
