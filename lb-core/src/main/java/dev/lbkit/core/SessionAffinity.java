package dev.lbkit.core;

import dev.lbkit.core.internal.AffinityCookies;
import dev.lbkit.core.internal.AffinityKeys;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.ReentrantLock;
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
 * <p><b>Cookies.</b> A cookie value is a keyed MAC of the server's id: the first 128 bits of
 * HMAC-SHA256 under this instance's cookie secret, in base64url without padding (22 characters).
 * Without the secret nobody can make the cookie of a server or learn a server's address from its
 * cookie. The secret is random for each instance unless one is given with {@link
 * Builder#cookieSecret}: instances (and the balancers holding them) that must honour each other's
 * cookies, in one process or many, are built with the same secret, and each honours a cookie once
 * it has pinned that server itself. A cookie that is not the value of a server pinned here, forged
 * or from another secret, matches nothing: the request is routed normally. Cookies are compared in
 * constant time.
 *
 * <p><b>The table.</b> Pins live in a table of at most {@code maxEntries} entries and expire {@code
 * ttl} after they were last used (a sliding window, like HAProxy's {@code maxidle}). The table
 * never holds more than {@code maxEntries} pins, not even for a moment: a new key makes room first.
 * Room is made by dropping expired pins, then the pin added longest ago, except that a pin used
 * since it was queued goes back to the end of the queue once (at most 8 times per new key);
 * besides, each new key drops up to 2 more expired pins from the head of the queue. A key of at
 * most 64 characters is stored as it is; a longer one as a 128-bit keyed digest (HMAC-SHA256 under
 * a random key of this instance), so no pin holds more than a fixed number of bytes of its key.
 * {@link #getServer} returns a pinned server only while it is healthy; a caller that then routes
 * elsewhere calls {@link #pin} again, and later requests follow the new pin.
 *
 * <p><b>Strict pins.</b> A balancer given this affinity sends a pinned request to its server while
 * that server is admissible, and otherwise, by default, routes it elsewhere and pins it there. A
 * <em>strict</em> affinity ({@link #strict(Method, Duration)}, or {@link Builder#strict}) never
 * moves a pin: a request whose pinned server is down, draining, ejected, full or gone is refused
 * ({@code route} is empty, {@code acquire} throws {@link NoServerAvailableException} with the
 * pinned server's {@link Refusal}, {@link Refusal#NO_SERVERS} once it left the balancer), and the
 * pin stays, so a service can answer "your job's runner is gone" instead of sending the job to a
 * runner that never heard of it. A request with no pin is routed by the algorithm and pinned, as
 * usual. {@link #getServer} is the same for both: empty while the server is unhealthy.
 *
 * <p>A {@link LoadBalancer} built with {@code sticky(true)} needs no table for IP affinity: it
 * hashes the client IP on a consistent hash ring, so every balancer over the same servers agrees;
 * use this class for key affinity ({@code LoadBalancer.builder(...).affinity(new
 * SessionAffinity(KEY, ttl))}) or on its own.
 *
 * <p>Thread-safe. Cost, whatever the size of the table: {@link #getServer} O(1) and lock-free (a
 * hit allocates its refreshed pin); {@link #pin} of a key already pinned O(1) and lock-free; {@link
 * #pin} of a new key and {@link #unpin} O(1) under a short lock shared by the writers: such a
 * {@code pin} looks at no more than 11 queued pins (one to evict, 8 second chances, 2 expired),
 * plus one for each use of the head pin that races with it. A key longer than 64 characters costs
 * one HMAC over it.
 */
public final class SessionAffinity {

  /*
   * Design. The pins are a ConcurrentHashMap from stored key to Entry, plus a queue threaded
   * through the entries in the order they were added (a doubly linked list, so that removing one
   * is O(1)). The map is read without locks; every structural change (an entry added or removed,
   * the queue relinked) happens under one ReentrantLock, so under the lock the map and the queue
   * hold the same entries and the count is exact.
   *
   * An Entry's current pin (server, expiry) is an immutable Pin in a volatile field. A hit replaces
   * it by compare-and-set with one expiring later; pinning a key that is in the table replaces it
   * likewise, without the lock. An entry is removed by setting its pin to null (by CAS, under the
   * lock) and then taking it out of the map and the queue in the same critical section; a reader
   * that finds a null pin treats the entry as absent, and pin() then adds a new entry under the
   * lock. So a lock-free writer never revives a removed entry, and a removal never drops a pin
   * written after the remover looked.
   *
   * Eviction is a second-chance queue (CLOCK): the entry at the head is the one added longest ago.
   * Each entry remembers the Pin it had when it was queued; if its pin has changed since (it was
   * used or re-pinned), it is requeued at the tail instead of evicted, at most SECOND_CHANCES times
   * per insert, which bounds the work of one insert even if every entry was used. Since every pin
   * has the same ttl, the head is close to the pin that expires first. A hit never touches the
   * queue, so reads stay lock-free; the price is an LRU that is approximate.
   *
   * The lock is not held by lookups. getServer, finding an expired pin, removes it only if the lock
   * is free at that moment (tryLock); otherwise it stays, counted in the bound, until an insert's
   * sweep or eviction reaches it.
   */

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

  /** The longest key stored as it is; longer ones are stored as a digest. */
  static final int MAX_STORED_KEY_LENGTH = AffinityKeys.MAX_KEY_LENGTH;

  /** The most used pins one insert requeues before it evicts the head regardless. */
  static final int SECOND_CHANCES = 8;

  /** The most expired pins one insert drops beyond those it must drop to make room. */
  static final int EXPIRED_SWEEP = 2;

  /**
   * The cookies of balancers built without a secret of their own ({@code sticky(true)}): one random
   * secret per process, so the balancers of one process agree and no one can forge them.
   */
  private final Method method;

  private final boolean strict;
  private final long ttlNanos;
  private final int maxEntries;
  private final String cookieName;
  private final Ticker ticker;
  private final AffinityCookies cookies;
  private final AffinityKeys keys = new AffinityKeys();
  private final ConcurrentHashMap<Object, Entry> pins = new ConcurrentHashMap<>();
  private final ReentrantLock lock = new ReentrantLock();

  // Guarded by lock; size is count, published for size().
  private @Nullable Entry oldest;
  private @Nullable Entry newest;
  private int count;
  private volatile int size;
  private long examined;

  /** A server and when its pin expires (by the ticker); replaced, never mutated. */
  private record Pin(Server server, long expiresAt) {}

  /** One key's place in the table, from when it is added until it is removed. */
  private static final class Entry {
    private static final VarHandle PIN;

    static {
      try {
        PIN = MethodHandles.lookup().findVarHandle(Entry.class, "pin", Pin.class);
      } catch (ReflectiveOperationException e) {
        throw new ExceptionInInitializerError(e);
      }
    }

    final Object key;

    /** The current pin; null once the entry is removed. */
    volatile @Nullable Pin pin;

    // Guarded by the affinity's lock.
    Pin queuedPin;
    @Nullable Entry older;
    @Nullable Entry newer;

    Entry(Object key, Pin pin) {
      this.key = key;
      this.pin = pin;
      this.queuedPin = pin;
    }

    boolean casPin(Pin expected, @Nullable Pin next) {
      return PIN.compareAndSet(this, expected, next);
    }

    /** Replaces a live pin with {@code next}; false if the entry is removed. Lock-free. */
    boolean replaceLive(Pin next) {
      for (Pin current = pin; current != null; current = pin) {
        if (casPin(current, next)) {
          return true;
        }
      }
      return false;
    }
  }

  /**
   * Creates an affinity with the default cookie name, table bound, the system ticker and a random
   * cookie secret.
   *
   * @throws IllegalArgumentException if {@code ttl} is not positive
   * @throws NullPointerException if an argument is null
   */
  public SessionAffinity(Method method, Duration ttl) {
    this(builder(method, ttl));
  }

  /**
   * Creates an affinity with a random cookie secret; {@link #builder} can give one.
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
    this(builder(method, ttl).maxEntries(maxEntries).cookieName(cookieName).ticker(ticker));
  }

  private SessionAffinity(Builder builder) {
    this.method = builder.method;
    this.strict = builder.strict;
    this.ttlNanos = saturatedNanos(builder.ttl);
    this.maxEntries = builder.maxEntries;
    this.cookieName = builder.cookieName;
    this.ticker = builder.ticker;
    byte[] secret = builder.cookieSecret;
    this.cookies = new AffinityCookies(secret != null ? secret : AffinityCookies.randomSecret());
  }

  /**
   * Returns a builder of an affinity by {@code method} with pins lasting {@code ttl} after their
   * last use; the other settings default as in {@link #SessionAffinity(Method, Duration)}.
   *
   * @throws IllegalArgumentException if {@code ttl} is not positive
   * @throws NullPointerException if an argument is null
   */
  public static Builder builder(Method method, Duration ttl) {
    return new Builder(method, ttl);
  }

  /**
   * Returns a strict affinity by {@code method} with pins lasting {@code ttl} after their last use
   * (see the class comment): a balancer refuses a request whose pinned server is not admissible
   * rather than re-pin it. Shorthand for {@code builder(method, ttl).strict(true).build()}.
   *
   * @throws IllegalArgumentException if {@code ttl} is not positive
   * @throws NullPointerException if an argument is null
   */
  public static SessionAffinity strict(Method method, Duration ttl) {
    return builder(method, ttl).strict(true).build();
  }

  /** Returns whether pins are strict: never moved by a balancer (see the class comment). */
  public boolean isStrict() {
    return strict;
  }

  /**
   * Returns the server {@code request} is pinned to, healthy or not, if its pin has not expired,
   * else null; a hit extends the pin by the ttl when {@code refresh}. For a strict balancer.
   */
  @Nullable Server pinned(Request request, boolean refresh) {
    return lookUp(request, refresh, false);
  }

  /**
   * The pinned server of {@code request}, or null: none, expired (then dropped), or, when {@code
   * healthyOnly}, unhealthy. A hit extends the pin by the ttl when {@code refresh}. Lock-free.
   */
  private @Nullable Server lookUp(Request request, boolean refresh, boolean healthyOnly) {
    Object key = lookupKey(request);
    Entry entry = key == null ? null : pins.get(key);
    Pin pin = entry == null ? null : entry.pin;
    if (entry == null || pin == null) {
      return null;
    }
    long now = ticker.read();
    if (now - pin.expiresAt() >= 0) {
      dropExpired(entry, pin);
      return null;
    }
    if (healthyOnly && !pin.server().isHealthy()) {
      return null;
    }
    if (refresh) {
      // A lost race means another hit or a re-pin refreshed it just now: fine either way.
      entry.casPin(pin, new Pin(pin.server(), now + ttlNanos));
    }
    return pin.server();
  }

  /**
   * Returns the server {@code request} is pinned to, if its pin has not expired and the server is
   * healthy. A hit extends the pin by the ttl. Lock-free.
   *
   * @throws NullPointerException if {@code request} is null
   */
  public Optional<Server> getServer(Request request) {
    return Optional.ofNullable(lookUp(request, true, true));
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
    Object key = method == Method.COOKIE ? cookies.tokenOf(server.id()) : lookupKey(request);
    if (key == null) {
      return;
    }
    long now = ticker.read();
    Pin fresh = new Pin(server, now + ttlNanos);
    Entry entry = pins.get(key);
    if (entry != null && entry.replaceLive(fresh)) {
      return;
    }
    lock.lock();
    try {
      entry = pins.get(key);
      if (entry != null) {
        entry.pin = fresh; // live: removals happen under the lock, and finish there
        return;
      }
      makeRoom(now);
      entry = new Entry(key, fresh);
      pins.put(key, entry);
      link(entry);
      size = ++count;
    } finally {
      lock.unlock();
    }
  }

  /**
   * Drops the pin of {@code request}'s affinity key, if any.
   *
   * @throws NullPointerException if {@code request} is null
   */
  public void unpin(Request request) {
    Object key = lookupKey(request);
    if (key == null) {
      return;
    }
    lock.lock();
    try {
      Entry entry = pins.get(key);
      if (entry != null) {
        entry.pin = null;
        remove(entry);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Returns the affinity key of {@code request} for this method (the affinity cookie's value, the
   * client IP, or the request key), or null if it has none.
   *
   * @throws NullPointerException if {@code request} is null
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
   * Returns the affinity cookie value that names {@code server} for this instance: 22 characters, a
   * MAC of its id under this instance's cookie secret (see the class comment). Instances with the
   * same secret give the same value; nobody without it can compute one. Computed once per server id
   * and cached.
   *
   * @throws NullPointerException if {@code server} is null
   */
  public String cookieValue(Server server) {
    return cookies.valueOf(Objects.requireNonNull(server, "server").id());
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

  /**
   * Returns the number of pins held now, at most {@code maxEntries}; expired ones are included
   * until they are dropped.
   */
  public int size() {
    return size;
  }

  /**
   * Returns the queued entries that inserts have looked at so far, to bound their work in tests.
   */
  long entriesExamined() {
    lock.lock();
    try {
      return examined;
    } finally {
      lock.unlock();
    }
  }

  /** Returns a copy of the stored keys, to check in tests what the table retains. */
  List<Object> storedKeys() {
    return new ArrayList<>(pins.keySet());
  }

  /** Returns the key to look up for {@code request}, or null if it has none. */
  private @Nullable Object lookupKey(Request request) {
    String key = affinityKey(request);
    if (key == null) {
      return null;
    }
    return method == Method.COOKIE ? cookies.parse(key) : keys.storedKey(key);
  }

  /** Removes {@code entry} if its pin is still the expired {@code pin} and the lock is free. */
  private void dropExpired(Entry entry, Pin pin) {
    if (!lock.tryLock()) {
      return; // a writer is busy: an insert's sweep or eviction will get to it
    }
    try {
      if (entry.casPin(pin, null)) {
        remove(entry);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * Makes room for one more entry, and drops up to {@link #EXPIRED_SWEEP} more expired ones from
   * the head of the queue. Under the lock.
   */
  @SuppressWarnings("ReferenceEquality") // a Pin's identity tells a use: every use makes a new one
  private void makeRoom(long now) {
    int secondChances = 0;
    int swept = 0;
    for (Entry head = oldest; head != null; head = oldest) {
      Pin pin = Objects.requireNonNull(head.pin); // under the lock, every queued entry is live
      boolean full = count >= maxEntries;
      boolean expired = now - pin.expiresAt() >= 0;
      if (!full && !(expired && swept < EXPIRED_SWEEP)) {
        return;
      }
      examined++;
      if (!expired && pin != head.queuedPin && secondChances < SECOND_CHANCES) {
        secondChances++; // used since it was queued: to the back, once
        head.queuedPin = pin;
        unlink(head);
        link(head);
        continue;
      }
      if (!full) {
        swept++;
      }
      if (head.casPin(pin, null)) {
        remove(head);
      } // else used or re-pinned this instant: look at it again
    }
  }

  /** Takes a removed (null pin) entry out of the map and the queue. Under the lock. */
  private void remove(Entry entry) {
    pins.remove(entry.key, entry);
    unlink(entry);
    size = --count;
  }

  private void link(Entry entry) {
    entry.older = newest;
    entry.newer = null;
    if (newest != null) {
      newest.newer = entry;
    } else {
      oldest = entry;
    }
    newest = entry;
  }

  private void unlink(Entry entry) {
    Entry older = entry.older;
    Entry newer = entry.newer;
    if (older != null) {
      older.newer = newer;
    } else {
      oldest = newer;
    }
    if (newer != null) {
      newer.older = older;
    } else {
      newest = older;
    }
    entry.older = null;
    entry.newer = null;
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
    return "SessionAffinity{"
        + method
        + (strict ? ", strict" : "")
        + ", ttl="
        + ttl()
        + ", pins="
        + size
        + "}";
  }

  /**
   * Builds a {@link SessionAffinity}; every setter checks its argument at once. Not thread-safe.
   */
  public static final class Builder {
    private final Method method;
    private final Duration ttl;
    private int maxEntries = DEFAULT_MAX_ENTRIES;
    private String cookieName = DEFAULT_COOKIE_NAME;
    private Ticker ticker = Ticker.system();
    private byte @Nullable [] cookieSecret;
    private boolean strict;

    private Builder(Method method, Duration ttl) {
      this.method = Objects.requireNonNull(method, "method");
      Objects.requireNonNull(ttl, "ttl");
      if (ttl.isNegative() || ttl.isZero()) {
        throw new IllegalArgumentException("ttl: " + ttl + " (expected: > 0)");
      }
      this.ttl = ttl;
    }

    /**
     * Sets the most pins kept; past it, expired pins and then the oldest are dropped. Default
     * {@value SessionAffinity#DEFAULT_MAX_ENTRIES}.
     *
     * @throws IllegalArgumentException if {@code maxEntries} is below 1
     */
    public Builder maxEntries(int maxEntries) {
      if (maxEntries < 1) {
        throw new IllegalArgumentException("maxEntries: " + maxEntries + " (expected: >= 1)");
      }
      this.maxEntries = maxEntries;
      return this;
    }

    /**
     * Sets the affinity cookie's name (used by {@link Method#COOKIE}). Default {@value
     * SessionAffinity#DEFAULT_COOKIE_NAME}.
     *
     * @throws IllegalArgumentException if {@code cookieName} is blank
     * @throws NullPointerException if {@code cookieName} is null
     */
    public Builder cookieName(String cookieName) {
      Objects.requireNonNull(cookieName, "cookieName");
      if (cookieName.isBlank()) {
        throw new IllegalArgumentException(
            "cookieName: '" + cookieName + "' (expected: not blank)");
      }
      this.cookieName = cookieName;
      return this;
    }

    /**
     * Sets the time source for expiry. Default {@link Ticker#system()}.
     *
     * @throws NullPointerException if {@code ticker} is null
     */
    public Builder ticker(Ticker ticker) {
      this.ticker = Objects.requireNonNull(ticker, "ticker");
      return this;
    }

    /**
     * Sets the secret that keys the cookie values (see {@link SessionAffinity#cookieValue}); the
     * array is copied. Give every instance that must honour the others' cookies the same secret,
     * from a {@link java.security.SecureRandom} or a secret store, and keep it as secret as a
     * session key: whoever has it can pin themselves to any server. Default: a random secret of
     * this instance.
     *
     * @throws IllegalArgumentException if {@code cookieSecret} is shorter than 16 bytes
     * @throws NullPointerException if {@code cookieSecret} is null
     */
    public Builder cookieSecret(byte[] cookieSecret) {
      Objects.requireNonNull(cookieSecret, "cookieSecret");
      if (cookieSecret.length < AffinityCookies.MIN_SECRET_BYTES) {
        throw new IllegalArgumentException(
            "cookieSecret: "
                + cookieSecret.length
                + " bytes (expected: >= "
                + AffinityCookies.MIN_SECRET_BYTES
                + ")");
      }
      this.cookieSecret = cookieSecret.clone();
      return this;
    }

    /**
     * Makes pins strict: a balancer refuses a request whose pinned server is not admissible (down,
     * draining, ejected, full, or gone) instead of re-pinning it elsewhere; see the class comment.
     * Off by default.
     */
    public Builder strict(boolean strict) {
      this.strict = strict;
      return this;
    }

    /** Returns a new affinity with these settings. */
    public SessionAffinity build() {
      return new SessionAffinity(this);
    }
  }
}
