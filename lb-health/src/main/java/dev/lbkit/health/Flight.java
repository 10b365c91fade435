package dev.lbkit.health;

import dev.lbkit.core.Server;
import java.util.concurrent.CompletableFuture;
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

  /** The thread running the probe, while it does; guarded by this. */
  private @Nullable Thread runner;

  /** Whether {@link #timeOut} interrupted the runner; guarded by this. */
  private boolean interrupted;

  Flight(Server server, long startNanos) {
    this.server = server;
    this.startNanos = startNanos;
  }

  /**
   * Called by the thread about to probe: returns false if the deadline has passed already (then it
   * must not probe), else remembers the thread, so that the deadline can interrupt it.
   */
  synchronized boolean begin() {
    if (result.isDone()) {
      return false;
    }
    runner = Thread.currentThread();
    return true;
  }

  /**
   * Called by the probing thread when the probe returned: forgets it, and clears an interrupt the
   * deadline may have sent it, so that the interrupt does not leak into the thread's next task.
   */
  synchronized void end() {
    runner = null;
    if (interrupted) {
      boolean unused = Thread.interrupted();
    }
  }

  /**
   * Fails the probe with {@code timedOut} unless it has a result already, and interrupts its thread
   * if it is probing. A probe whose thread has not started yet will not probe at all.
   */
  void timeOut(ProbeResult timedOut) {
    if (result.complete(timedOut)) {
      synchronized (this) {
        Thread thread = runner;
        if (thread != null) {
          interrupted = true;
          thread.interrupt();
        }
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
