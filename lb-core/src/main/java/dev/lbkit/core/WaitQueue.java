package dev.lbkit.core;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * The acquires waiting for a slot, served first come first served as slots free up; a new acquire
 * does not overtake them. Grants are made under the queue's lock, but nothing else is: the granted
 * leases' futures are completed, and the listeners told, after it is released, so a slow listener
 * or a waiter's continuation never holds up another thread's close or acquire. A waiter taken out
 * of line has its lease on the way: if its wait runs out meanwhile, it waits for that lease (told
 * to its grant's listeners first) rather than be refused too.
 */
final class WaitQueue {

  private static final Duration RECHECK = Duration.ofMillis(20);

  /** A waiting acquire. */
  private static final class Waiter {
    final Request request;
    final CompletableFuture<Lease> lease = new CompletableFuture<>();

    Waiter(Request request) {
      this.request = request;
    }
  }

  /** A lease granted under the lock, handed out after it. */
  private static final class Grant {
    final Waiter waiter;
    final Lease lease;

    Grant(Waiter waiter, Lease lease) {
      this.waiter = waiter;
      this.lease = lease;
    }
  }

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> waiters = new ArrayDeque<>(); // guarded by lock
  private final Function<Request, @Nullable Lease> grant; // takes a slot; tells no listener
  private final Consumer<Lease> granted; // tells the listeners, outside locks
  private volatile int waiting; // waiters.size(), for a lock-free look

  WaitQueue(Function<Request, @Nullable Lease> grant, Consumer<Lease> granted) {
    this.grant = grant;
    this.granted = granted;
  }

  /** Returns how many acquires wait now. */
  int waiting() {
    return waiting;
  }

  /**
   * Returns whether a new acquire may take a slot now: nobody waits, or the waiters were all served
   * first.
   */
  boolean mayProceed() {
    if (waiting == 0) {
      return true;
    }
    dispatch();
    return waiting == 0;
  }

  /**
   * Takes a lease at once if nobody waits and a slot is free, else waits up to {@code timeout} in
   * line.
   *
   * @return the lease, or null if none was granted in time
   */
  @Nullable Lease acquire(Request request, Duration timeout) throws InterruptedException {
    Waiter waiter = null;
    Lease lease = null;
    lock.lock();
    try {
      if (waiters.isEmpty()) {
        lease = grant.apply(request);
      }
      if (lease == null) {
        waiter = new Waiter(request);
        waiters.addLast(waiter);
        waiting = waiters.size();
      }
    } finally {
      lock.unlock();
    }
    if (lease != null) {
      granted.accept(lease);
      return lease;
    }
    return await(Objects.requireNonNull(waiter), timeout);
  }

  private @Nullable Lease await(Waiter waiter, Duration timeout) throws InterruptedException {
    Ticker clock = Ticker.system(); // a wait is real time, whatever ticker measures the calls
    long deadline = clock.read() + SessionAffinity.saturatedNanos(timeout);
    try {
      for (long remaining = deadline - clock.read();
          remaining > 0;
          remaining = deadline - clock.read()) {
        try {
          return waiter.lease.get(Math.min(remaining, RECHECK.toNanos()), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
          // Slots are also freed by health changes, which do not call us: look again.
          dispatch();
        }
      }
    } catch (InterruptedException e) {
      Lease late = abandon(waiter);
      if (late != null) {
        late.close(); // granted as we were interrupted: nobody will use it
      }
      throw e;
    } catch (ExecutionException e) {
      throw new AssertionError("a waiter's future is only completed normally", e);
    }
    return abandon(waiter); // granted just as the wait ran out, or null
  }

  /**
   * Takes a waiter out of line; returns the lease it was granted meanwhile, if any. A waiter that a
   * dispatch already took out of line has a lease coming (counted, its listeners being told): it
   * waits for that lease rather than be refused as well.
   */
  private @Nullable Lease abandon(Waiter waiter) {
    boolean inLine;
    lock.lock();
    try {
      inLine = waiters.remove(waiter);
      if (inLine) {
        waiting = waiters.size();
      }
    } finally {
      lock.unlock();
    }
    if (!inLine) {
      return waiter.lease.join(); // dispatch completes every waiter it took, whatever happens
    }
    return waiter.lease.complete(null) ? null : waiter.lease.getNow(null);
  }

  /** Grants leases to waiters, first come first served, while slots are free. */
  void dispatch() {
    if (waiting == 0) { // a waiter enqueued just after this read rechecks by itself soon
      return;
    }
    List<Grant> grants = new ArrayList<>(1);
    try {
      lock.lock();
      try {
        Waiter head;
        while ((head = waiters.peekFirst()) != null) {
          if (head.lease.isDone()) { // gave up
            waiters.pollFirst();
            continue;
          }
          Lease lease = grant.apply(head.request);
          if (lease == null) {
            break;
          }
          waiters.pollFirst();
          grants.add(new Grant(head, lease));
        }
      } finally {
        waiting = waiters.size();
        lock.unlock();
      }
    } finally {
      handOut(grants); // also if a grant threw: the waiters taken out of line wait for theirs
    }
  }

  /**
   * Tells the listeners of each grant and completes its waiter, outside the lock, whatever a
   * listener throws; then rethrows the first failure.
   */
  private void handOut(List<Grant> grants) {
    Throwable fatal = null; // a listener's VirtualMachineError: rethrown once every grant is out
    for (Grant g : grants) { // outside the lock: listeners and the waiters' continuations
      try {
        granted.accept(g.lease);
      } catch (RuntimeException | Error e) {
        if (fatal == null) {
          fatal = e;
        }
      } finally {
        if (!g.waiter.lease.complete(g.lease)) {
          g.lease.close(); // the waiter gave up meanwhile
        }
      }
    }
    if (fatal instanceof Error) {
      throw (Error) fatal;
    }
    if (fatal != null) {
      throw (RuntimeException) fatal;
    }
  }
}
