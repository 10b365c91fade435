package dev.lbkit.core;

import dev.lbkit.core.internal.HostNames;
import dev.lbkit.hashing.Identified;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.lang.ref.WeakReference;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A backend that requests can be sent to: an immutable identity ({@link #host()}, {@link #port()},
 * {@link #weight()}) plus live state ({@link #isHealthy()}, {@link #activeConnections()}) that
 * every balancer holding this server shares.
 *
 * <p>Two servers are equal when their {@link #id()}s are equal, whatever their weight or state. The
 * id is also the server's name on a consistent hash ring, so it places the server identically in
 * every process.
 *
 * <p>Thread-safe: health is a volatile flag, visible to every thread as soon as {@link #setHealthy}
 * returns; the connection count is atomic and never negative.
 */
public final class Server implements Identified {

  private static final VarHandle HEALTHY;
  private static final VarHandle ACTIVE;
  private static final VarHandle WATCHERS;
  private static final VarHandle COUNT_WATCHERS;
  private static final WeakReference<?>[] NO_WATCHERS = new WeakReference<?>[0];

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      HEALTHY = lookup.findVarHandle(Server.class, "healthy", boolean.class);
      ACTIVE = lookup.findVarHandle(Server.class, "activeConnections", int.class);
      WATCHERS = lookup.findVarHandle(Server.class, "watchers", WeakReference[].class);
      COUNT_WATCHERS = lookup.findVarHandle(Server.class, "countWatchers", WeakReference[].class);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private final String host;
  private final int port;
  private final String id;
  private volatile int weight;
  private volatile long load;

  @SuppressWarnings("FieldMayBeFinal") // written through HEALTHY
  private volatile boolean healthy = true;

  @SuppressWarnings("UnusedVariable") // read and written through ACTIVE
  private volatile int activeConnections;

  /** The tables holding this server, told of health and weight changes; copied on write. */
  @SuppressWarnings("FieldMayBeFinal") // written through WATCHERS
  private volatile WeakReference<?>[] watchers = NO_WATCHERS;

  /** The indexes told of each change of the connection count; usually none. Copied on write. */
  @SuppressWarnings("FieldMayBeFinal") // written through COUNT_WATCHERS
  private volatile WeakReference<?>[] countWatchers = NO_WATCHERS;

  /**
   * Held while a change of health or weight is made and told to the watchers: a call that finds the
   * change already made returns only once the watchers have been told of it.
   */
  private final Object changeLock = new Object();

  /** Told when the connection count drops to zero; see {@link #whenIdle}. Usually empty. */
  private final List<Runnable> idleListeners = new CopyOnWriteArrayList<>();

  /**
   * Creates a healthy server of weight 1.
   *
   * @param host a DNS name, an IPv4 address or an IPv6 literal (bare or in brackets), without a
   *     port; see {@link #host()} for its normal form
   * @throws NullPointerException if {@code host} is null
   * @throws IllegalArgumentException if {@code host} is not a valid host (blank, with a port,
   *     whitespace or control characters...) or {@code port} is not in {@code [1, 65535]}
   */
  public Server(String host, int port) {
    this(host, port, 1);
  }

  /**
   * Creates a healthy server.
   *
   * @param host a DNS name, an IPv4 address or an IPv6 literal (bare or in brackets), without a
   *     port; see {@link #host()} for its normal form
   * @param weight its share relative to other servers for weighted algorithms; at least 1
   * @throws NullPointerException if {@code host} is null
   * @throws IllegalArgumentException if {@code host} is not a valid host (blank, with a port,
   *     whitespace or control characters...), {@code port} is not in {@code [1, 65535]} or {@code
   *     weight} is below 1
   */
  public Server(String host, int port, int weight) {
    String normal = HostNames.normalize(host);
    if (port < 1 || port > 65_535) {
      throw new IllegalArgumentException("port: " + port + " (expected: 1..65535)");
    }
    if (weight < 1) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 1)");
    }
    this.host = normal;
    this.port = port;
    this.weight = weight;
    // An IPv6 literal is bracketed so that the id still reads as one host and one port.
    this.id = (normal.indexOf(':') >= 0 ? "[" + normal + "]" : normal) + ":" + port;
  }

  /**
   * Returns the host in its normal form, which may differ from the one given to the constructor:
   *
   * <ul>
   *   <li>a DNS name in lower case ({@code Api.Example.COM} gives {@code api.example.com});
   *   <li>an IPv4 address as given ({@code 10.0.0.1}); leading zeros and short forms such as {@code
   *       127.1} are rejected, since resolvers read them differently;
   *   <li>an IPv6 literal in its RFC 5952 text, without brackets ({@code [0:0:0:0:0:0:0:1]} gives
   *       {@code ::1}, {@code 2001:DB8::0001} gives {@code 2001:db8::1}), a zone id kept as given
   *       ({@code fe80::1%eth0}); an IPv4-mapped address gives the IPv4 address ({@code
   *       ::ffff:10.0.0.1} gives {@code 10.0.0.1}).
   * </ul>
   *
   * <p>No name is looked up: two names of one address are two servers.
   */
  public String host() {
    return host;
  }

  /** Returns the port. */
  public int port() {
    return port;
  }

  /** Returns the weight, at least 1. */
  public int weight() {
    return weight;
  }

  /**
   * Changes the weight. Weighted balancers holding this server use the new weight from their next
   * pick on (they rebuild their schedule once).
   *
   * @throws IllegalArgumentException if {@code weight} is below 1
   */
  public void setWeight(int weight) {
    if (weight < 1) {
      throw new IllegalArgumentException("weight: " + weight + " (expected: >= 1)");
    }
    synchronized (changeLock) {
      if (this.weight != weight) {
        this.weight = weight;
        tellWatchers();
      }
    }
  }

  /**
   * Returns the load this server last reported, such as a queue depth or a health probe's load
   * figure; 0 until one is reported. {@link Algorithm#LEAST_LOADED} picks the lowest.
   */
  public long load() {
    return load;
  }

  /**
   * Records the load this server reports (a queue depth, a utilisation in percent...); lower is
   * less loaded. Any non-negative scale works as long as all servers of a balancer use the same.
   *
   * @throws IllegalArgumentException if {@code load} is negative
   */
  public void reportLoad(long load) {
    if (load < 0) {
      throw new IllegalArgumentException("load: " + load + " (expected: >= 0)");
    }
    this.load = load;
  }

  /**
   * Returns {@code host:port} ({@code [host]:port} for an IPv6 literal), with {@link #host()} in
   * its normal form: the server's identity for equality, stats and hashing. {@code new
   * Server("::1", 80)}, {@code new Server("[0:0::1]", 80)} are equal, with id {@code [::1]:80}; so
   * are {@code new Server("A.example", 80)} and {@code new Server("a.example", 80)}, id {@code
   * a.example:80}.
   */
  @Override
  public String id() {
    return id;
  }

  /** Returns whether the server may be picked; true when created. */
  public boolean isHealthy() {
    return healthy;
  }

  /**
   * Marks the server healthy or not. Visible to every balancer holding this server before this
   * method returns: a pick that starts afterwards never returns an unhealthy server.
   */
  public void setHealthy(boolean healthy) {
    synchronized (changeLock) {
      if ((boolean) HEALTHY.getAndSet(this, healthy) != healthy) {
        tellWatchers();
      }
    }
  }

  /** Tells every table holding this server that it changed; see {@link ServerWatcher}. */
  private void tellWatchers() {
    for (WeakReference<?> ref : watchers) {
      Object watcher = ref.get();
      if (watcher != null) {
        ((ServerWatcher) watcher).serverChanged(this);
      }
    }
  }

  /** Tells {@code watcher} of later health and weight changes (held weakly); idempotent. */
  void watch(ServerWatcher watcher) {
    updateWatchers(WATCHERS, watcher, true);
  }

  /** Stops telling {@code watcher}. */
  void unwatch(ServerWatcher watcher) {
    updateWatchers(WATCHERS, watcher, false);
  }

  /** Tells {@code watcher} of each later change of the connection count (held weakly). */
  void watchCount(CountWatcher watcher) {
    updateWatchers(COUNT_WATCHERS, watcher, true);
  }

  /** Stops telling {@code watcher} of the connection count. */
  void unwatchCount(CountWatcher watcher) {
    updateWatchers(COUNT_WATCHERS, watcher, false);
  }

  private void countChanged(int from, int to) {
    WeakReference<?>[] all = countWatchers;
    if (all.length == 0) {
      return;
    }
    for (WeakReference<?> ref : all) {
      Object watcher = ref.get();
      if (watcher != null) {
        ((CountWatcher) watcher).countChanged(from, to);
      }
    }
  }

  /** Adds or removes {@code watcher} by compare-and-set, pruning collected ones on the way. */
  private void updateWatchers(VarHandle field, Object watcher, boolean add) {
    while (true) {
      WeakReference<?>[] current = (WeakReference<?>[]) field.getVolatile(this);
      WeakReference<?>[] next = new WeakReference<?>[current.length + 1];
      int n = 0;
      boolean present = false;
      for (WeakReference<?> ref : current) {
        Object w = ref.get();
        if (w == watcher) {
          present = true;
          if (!add) {
            continue;
          }
        }
        if (w != null) {
          next[n++] = ref;
        }
      }
      if (add && !present) {
        next[n++] = new WeakReference<>(watcher);
      }
      WeakReference<?>[] installed = n == 0 ? NO_WATCHERS : Arrays.copyOf(next, n);
      if (field.compareAndSet(this, current, installed)) {
        return;
      }
    }
  }

  /** Returns the number of connections currently counted on this server, never negative. */
  public int activeConnections() {
    return (int) ACTIVE.getVolatile(this);
  }

  /** Counts one more active connection. */
  void connectionOpened() {
    int from = (int) ACTIVE.getAndAdd(this, 1);
    countChanged(from, from + 1);
  }

  /**
   * Counts one more active connection if fewer than {@code cap} are active; atomically, so that
   * concurrent callers never push the count past the cap.
   *
   * @return whether the connection was counted
   */
  boolean tryConnectionOpened(int cap) {
    int current;
    do {
      current = (int) ACTIVE.getVolatile(this);
      if (current >= cap) {
        return false;
      }
    } while (!ACTIVE.compareAndSet(this, current, current + 1));
    countChanged(current, current + 1);
    return true;
  }

  /** Counts one connection fewer, never going below zero. */
  void connectionClosed() {
    int current;
    do {
      current = (int) ACTIVE.getVolatile(this);
      if (current == 0) {
        return;
      }
    } while (!ACTIVE.compareAndSet(this, current, current - 1));
    countChanged(current, current - 1);
    if (current == 1 && !idleListeners.isEmpty()) {
      idleListeners.forEach(Runnable::run);
    }
  }

  /**
   * Runs {@code listener} whenever the connection count drops to zero, whoever closed the last
   * connection (any balancer, or {@link LeastConnections#disconnect}), and once now if it is zero
   * already. The listener must be idempotent and quick; it runs on the closing thread.
   */
  void whenIdle(Runnable listener) {
    idleListeners.add(listener);
    if (activeConnections() == 0) {
      listener.run(); // the count may have dropped before the listener was in the list
    }
  }

  /** Stops telling {@code listener}. */
  void stopTellingWhenIdle(Runnable listener) {
    idleListeners.remove(listener);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o == this || (o instanceof Server && id.equals(((Server) o).id));
  }

  @Override
  public int hashCode() {
    return id.hashCode();
  }

  /** Returns the id, with the weight when it is not 1: {@code a:8080} or {@code a:8080 (w=3)}. */
  @Override
  public String toString() {
    return weight == 1 ? id : id + " (w=" + weight + ")";
  }
}
