package dev.lbkit.health;

import dev.lbkit.core.Server;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Future;
import org.jspecify.annotations.Nullable;

/**
 * One probe of one server in flight. {@link #result} completes once, with whichever comes first:
 * the probe's own result, or a failure when the deadline passes or the submission is refused.
 * {@link #recorded} completes after that result has been fed to the state machine, so that every
 * caller of {@code check()} that joined the probe sees the state it led to. The probe's thread may
 * outlive the result (a probe that ignores its deadline): {@link #overran} says so, and the
 * server's next probe waits until that thread is done with it.
 */
final class Flight {

  final CompletableFuture<ProbeResult> result = new CompletableFuture<>();
  final CompletableFuture<ProbeResult> recorded = new CompletableFuture<>();

  /** The server probed. */
  final Server server;

  /** The ticker reading when the probe started. */
  final long startNanos;

  /** The probe's task in an executor service, to interrupt when the deadline passes. */
  private volatile @Nullable Future<?> running;

  /** The deadline passed while the probe still ran: interrupt it as soon as it is known. */
  private volatile boolean timedOut;

  Flight(Server server, long startNanos) {
    this.server = server;
    this.startNanos = startNanos;
  }

  /** Remembers the probe's task; interrupts it at once if the deadline has passed already. */
  void running(Future<?> task) {
    running = task;
    if (timedOut) {
      task.cancel(true);
    }
  }

  /**
   * Fails the probe with {@code timedOut} unless it has a result already, and interrupts its
   * thread.
   */
  void timeOut(ProbeResult timedOut) {
    if (result.complete(timedOut)) {
      this.timedOut = true;
      Future<?> task = running;
      if (task != null) {
        task.cancel(true);
      }
    }
  }

  /**
   * Returns whether this flight has overrun: its result is out (the deadline passed) but its thread
   * is not done with the probe, so it is still {@code target}'s flight in place. A probe's thread
   * leaves its place before it puts its own result out, so a flight found in place with a result
   * after that is past its deadline.
   */
  boolean overran(Target target) {
    return result.isDone() && target.inFlight.get() == this;
  }
}
