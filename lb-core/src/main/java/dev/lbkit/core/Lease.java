package dev.lbkit.core;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The right to send one call to one server, from a {@link LoadBalancer}: while open it counts as an
 * active connection on {@link #server()} (and holds one of its concurrency slots); closing it
 * releases the slot, records the call's latency and outcome in the balancer's stats, and tells the
 * balancer's listeners. Use it with try-with-resources:
 *
 * <pre>{@code
 * try (Lease lease = lb.acquire(request)) {
 *   try {
 *     return call(lease.server());
 *   } catch (IOException e) {
 *     lease.fail(e);
 *     throw e;
 *   }
 * }
 * }</pre>
 *
 * <p>{@link #close()} releases exactly once, however many times and from however many threads it is
 * called. A lease is a success unless {@link #fail} was called before it closed.
 */
public final class Lease implements AutoCloseable {

  private static final VarHandle CLOSED;

  static {
    try {
      CLOSED = MethodHandles.lookup().findVarHandle(Lease.class, "closed", boolean.class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final LoadBalancer balancer;
  private final Backend backend;
  private final Request request;
  private final long startedAt;
  private volatile @Nullable Throwable failure;

  @SuppressWarnings("UnusedVariable") // written through CLOSED
  private volatile boolean closed;

  Lease(LoadBalancer balancer, Backend backend, Request request, long startedAt) {
    this.balancer = balancer;
    this.backend = backend;
    this.request = request;
    this.startedAt = startedAt;
  }

  /** Returns the server this lease is on. */
  public Server server() {
    return backend.server;
  }

  /** Returns the request this lease was granted for. */
  public Request request() {
    return request;
  }

  /**
   * Marks the call failed; the lease still has to be closed. The first failure reported is kept.
   *
   * @throws NullPointerException if {@code cause} is null
   */
  public void fail(Throwable cause) {
    Objects.requireNonNull(cause, "cause");
    if (failure == null) {
      failure = cause;
    }
  }

  /** Returns the failure reported with {@link #fail}, or null. */
  public @Nullable Throwable failure() {
    return failure;
  }

  /** Returns whether the lease has been closed. */
  public boolean isClosed() {
    return closed;
  }

  /** Releases the server: the first call releases, records and notifies; later calls do nothing. */
  @Override
  public void close() {
    if (CLOSED.compareAndSet(this, false, true)) {
      balancer.release(this);
    }
  }

  Backend backend() {
    return backend;
  }

  long startedAt() {
    return startedAt;
  }

  /** Returns how long the lease has been open (or was, once closed and read right away). */
  public Duration elapsed() {
    return Duration.ofNanos(balancer.ticker().read() - startedAt);
  }

  @Override
  public String toString() {
    return "Lease{" + backend.server + (closed ? ", closed" : "") + "}";
  }
}
