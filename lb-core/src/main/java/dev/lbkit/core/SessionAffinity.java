package dev.lbkit.core;

import dev.lbkit.hashing.KeyHash;
import java.time.Duration;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * Pins requests to servers: requests that share an affinity key (an affinity cookie, a client IP,
 * or a request key such as a job id) go to the server they were pinned to, while it is alive.
 *
 * <ul>
 *   <li>{@link Method#COOKIE}: the key is the value of the affinity cookie ({@link #cookieName()}).
 *       After routing, the caller sets that cookie to {@link #cookieValue(Server)}; {@link #pin}
 *       records the server under that value so later requests carrying it come back to it.
 *   <li>{@link Method#IP}: the key is the client IP.
 *   <li>{@link Method#KEY}: the key is the request's {@link Request#key()}.
 * </ul>
 *
 * <p>Pins live in a bounded table and expire {@code ttl} after they were last used (a sliding
 * window, like HAProxy's {@code maxidle}). {@link #getServer} returns a pinned server only while it
 * is healthy; a caller that then routes elsewhere calls {@link #pin} again, and later requests
 * follow the new pin.
 *
 * <p>A {@link LoadBalancer} built with {@code sticky(true)} needs no table for IP affinity: it
 * hashes the client IP on a consistent hash ring, so every balancer over the same servers agrees;
 * use this class for key affinity ({@code builder(...).affinity(new SessionAffinity(KEY, ttl))}) or
 * on its own.
 *
 * <p>Thread-safe; lookups do not lock.
 */
public final class SessionAffinity {

  /** What identifies the requests that belong together. */
  public enum Method {
    /** An affinity cookie set by the caller from {@link SessionAffinity#cookieValue(Server)}. */
    COOKIE,
    /** The client IP. */
    IP,
    /** The request's routing key, such as a job id or an idempotency key. */
    KEY
  }

  /** The affinity cookie's name unless another is given. */
  public static final String DEFAULT_COOKIE_NAME = "LBKIT_AFFINITY";

  /** The most pins kept unless another bound is given. */
  public static final int DEFAULT_MAX_ENTRIES = 100_000;

  private final Method method;
  private final long ttlNanos;
  private final int maxEntries;
  private final String cookieName;
  private final Ticker ticker;
  private final ConcurrentHashMap<String, Pin> pins = new ConcurrentHashMap<>();

  /** A server and when its pin expires (by the ticker); replaced, never mutated, on refresh. */
  private record Pin(Server server, long expiresAt) {}

  /**
   * Creates an affinity with the default cookie name, table bound and the system ticker.
   *
   * @throws IllegalArgumentException if {@code ttl} is not positive
   * @throws NullPointerException if an argument is null
   */
  public SessionAffinity(Method method, Duration ttl) {
    this(method, ttl, DEFAULT_MAX_ENTRIES, DEFAULT_COOKIE_NAME, Ticker.system());
  }

  /**
   * Creates an affinity.
   *
   * @param maxEntries the most pins kept; past it, expired pins and then the oldest are dropped
   * @param cookieName the affinity cookie's name (used by {@link Method#COOKIE})
   * @param ticker the time source for expiry
   * @throws IllegalArgumentException if {@code ttl} is not positive, {@code maxEntries} is below 1
   *     or {@code cookieName} is blank
   * @throws NullPointerException if an argument is null
   */
  public SessionAffinity(
      Method method, Duration ttl, int maxEntries, String cookieName, Ticker ticker) {
    this.method = Objects.requireNonNull(method, "method");
    Objects.requireNonNull(ttl, "ttl");
    if (ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
    }
    if (maxEntries < 1) {
      throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
    }
    Objects.requireNonNull(cookieName, "cookieName");
    if (cookieName.isBlank()) {
      throw new IllegalArgumentException("cookieName: '" + cookieName + "' (expected: not blank)");
    }
    this.ttlNanos = saturatedNanos(ttl);
    this.maxEntries = maxEntries;
    this.cookieName = cookieName;
    this.ticker = Objects.requireNonNull(ticker, "ticker");
  }

  /**
   * Returns the server {@code request} is pinned to, if its pin has not expired and the server is
   * healthy. A hit extends the pin by the ttl.
   *
   * @throws NullPointerException if {@code request} is null
   */
  public Optional<Server> getServer(Request request) {
    String key = affinityKey(request);
    if (key == null) {
      return Optional.empty();
    }
    Pin pin = pins.get(key);
    long now = ticker.read();
    if (pin == null || now - pin.expiresAt() >= 0) {
      if (pin != null) {
        pins.remove(key, pin);
      }
      return Optional.empty();
    }
    if (!pin.server().isHealthy()) {
      return Optional.empty();
    }
    pins.replace(key, pin, new Pin(pin.server(), now + ttlNanos));
    return Optional.of(pin.server());
  }

  /**
   * Pins {@code request}'s affinity key to {@code server} for the ttl, replacing any earlier pin.
   * For {@link Method#COOKIE} the key is {@link #cookieValue(Server)}, whatever cookie the request
   * carried: the caller sets that cookie. A request without an affinity key (no client IP for
   * {@code IP}, no key for {@code KEY}) is not pinned.
   *
   * @throws NullPointerException if an argument is null
   */
  public void pin(Request request, Server server) {
    Objects.requireNonNull(request, "request");
    Objects.requireNonNull(server, "server");
    String key = method == Method.COOKIE ? cookieValue(server) : affinityKey(request);
    if (key == null) {
      return;
    }
    pins.put(key, new Pin(server, ticker.read() + ttlNanos));
    if (pins.size() > maxEntries) {
      evict();
    }
  }

  /** Drops the pin of {@code request}'s affinity key, if any. */
  public void unpin(Request request) {
    String key = affinityKey(request);
    if (key != null) {
      pins.remove(key);
    }
  }

  /**
   * Returns the affinity key of {@code request} for this method (the affinity cookie's value, the
   * client IP, or the request key), or null if it has none.
   */
  public @Nullable String affinityKey(Request request) {
    Objects.requireNonNull(request, "request");
    switch (method) {
      case COOKIE:
        return request.cookie(cookieName);
      case IP:
        return request.clientIp();
      case KEY:
        return request.key();
    }
    throw new AssertionError(method);
  }

  /**
   * Returns the affinity cookie value that names {@code server}: a stable token derived from its id
   * (16 hex digits of {@link KeyHash}), the same in every process, that does not reveal the
   * server's address.
   */
  public static String cookieValue(Server server) {
    return String.format("%016x", KeyHash.of(Objects.requireNonNull(server, "server").id()));
  }

  /** Returns the affinity cookie's name. */
  public String cookieName() {
    return cookieName;
  }

  /** Returns the method. */
  public Method method() {
    return method;
  }

  /** Returns how long a pin lasts after its last use. */
  public Duration ttl() {
    return Duration.ofNanos(ttlNanos);
  }

  /** Returns the number of pins held now, expired ones included until they are dropped. */
  public int size() {
    return pins.size();
  }

  private void evict() {
    long now = ticker.read();
    pins.values().removeIf(pin -> now - pin.expiresAt() >= 0);
    Iterator<Map.Entry<String, Pin>> it = pins.entrySet().iterator();
    while (pins.size() > maxEntries && it.hasNext()) {
      // Still over the bound with live pins: drop the soonest to expire among a sample.
      Map.Entry<String, Pin> first = it.next();
      Map.Entry<String, Pin> victim = first;
      for (int i = 0; i < 7 && it.hasNext(); i++) {
        Map.Entry<String, Pin> e = it.next();
        if (e.getValue().expiresAt() - victim.getValue().expiresAt() < 0) {
          victim = e;
        }
      }
      pins.remove(victim.getKey(), victim.getValue());
    }
  }

  static long saturatedNanos(Duration duration) {
    try {
      return duration.toNanos();
    } catch (ArithmeticException e) {
      return Long.MAX_VALUE / 2; // about 146 years: forever, and still safe to add to a reading
    }
  }

  @Override
  public String toString() {
    return "SessionAffinity{" + method + ", ttl=" + ttl() + ", pins=" + pins.size() + "}";
  }
}
