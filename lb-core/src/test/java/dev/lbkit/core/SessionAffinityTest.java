package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.SessionAffinity.Method;
import dev.lbkit.core.internal.AffinityKeys;
import dev.lbkit.hashing.KeyHash;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class SessionAffinityTest {

  private final FakeTicker ticker = new FakeTicker();
  private final Server a = new Server("10.2.0.1", 8080);
  private final Server b = new Server("10.2.0.2", 8080);

  private SessionAffinity affinity(Method method) {
    return new SessionAffinity(method, Duration.ofMinutes(5), 1_000, "SID", ticker);
  }

  private static Request ip(String ip) {
    return Request.builder().clientIp(ip).build();
  }

  private static Request key(String key) {
    return Request.builder().key(key).build();
  }

  private static Request cookie(String name, String value) {
    return Request.builder().cookie(name, value).build();
  }

  @Test
  void seedSignatureWorksWithDefaults() {
    SessionAffinity affinity = new SessionAffinity(Method.COOKIE, Duration.ofHours(1));
    assertThat(affinity.method()).isEqualTo(Method.COOKIE);
    assertThat(affinity.ttl()).isEqualTo(Duration.ofHours(1));
    assertThat(affinity.cookieName()).isEqualTo(SessionAffinity.DEFAULT_COOKIE_NAME);
    Request first = Request.builder().path("/login").build();
    assertThat(affinity.getServer(first)).isEmpty();
    affinity.pin(first, a);
    Request later = cookie(SessionAffinity.DEFAULT_COOKIE_NAME, affinity.cookieValue(a));
    assertThat(affinity.getServer(later)).contains(a);
  }

  @Test
  void cookieAffinityPinsUnderTheServersCookieValue() {
    SessionAffinity affinity = affinity(Method.COOKIE);
    affinity.pin(Request.empty(), a);
    affinity.pin(cookie("SID", "whatever the client sent"), b);
    assertThat(affinity.getServer(cookie("SID", affinity.cookieValue(a)))).contains(a);
    assertThat(affinity.getServer(cookie("SID", affinity.cookieValue(b)))).contains(b);
    assertThat(affinity.getServer(cookie("SID", "whatever the client sent"))).isEmpty();
    assertThat(affinity.getServer(cookie("OTHER", affinity.cookieValue(a))))
        .as("another cookie name")
        .isEmpty();
    assertThat(affinity.getServer(Request.empty())).isEmpty();
    assertThat(affinity.affinityKey(cookie("SID", "x"))).isEqualTo("x");
  }

  @Test
  void ipAffinityPinsTheClientIp() {
    SessionAffinity affinity = affinity(Method.IP);
    affinity.pin(ip("1.2.3.4"), a);
    affinity.pin(ip("5.6.7.8"), b);
    assertThat(affinity.getServer(ip("1.2.3.4"))).contains(a);
    assertThat(affinity.getServer(ip("5.6.7.8"))).contains(b);
    assertThat(affinity.getServer(ip("9.9.9.9"))).isEmpty();

    affinity.pin(Request.builder().path("/no-ip").build(), a); // nothing to pin by
    assertThat(affinity.size()).isEqualTo(2);
    assertThat(affinity.getServer(Request.builder().path("/no-ip").build())).isEmpty();
  }

  @Test
  void keyAffinityPinsTheRequestKeyAndRepinsOnRequest() {
    SessionAffinity affinity = affinity(Method.KEY);
    affinity.pin(key("job-1"), a);
    assertThat(affinity.getServer(key("job-1"))).contains(a);
    assertThat(affinity.getServer(ip("1.2.3.4"))).isEmpty();
    affinity.pin(key("job-1"), b);
    assertThat(affinity.getServer(key("job-1"))).contains(b);
    assertThat(affinity.size()).isEqualTo(1);
  }

  @Test
  void anUnhealthyPinnedServerIsNotReturnedButThePinStays() {
    SessionAffinity affinity = affinity(Method.KEY);
    affinity.pin(key("job-1"), a);
    a.setHealthy(false);
    assertThat(affinity.getServer(key("job-1"))).isEmpty();
    a.setHealthy(true);
    assertThat(affinity.getServer(key("job-1"))).contains(a);
  }

  @Test
  void unpinDropsThePin() {
    SessionAffinity affinity = affinity(Method.KEY);
    affinity.pin(key("job-1"), a);
    affinity.unpin(key("job-1"));
    affinity.unpin(key("never pinned"));
    affinity.unpin(Request.empty());
    assertThat(affinity.getServer(key("job-1"))).isEmpty();
    assertThat(affinity.size()).isZero();
  }

  @Test
  void pinsExpireTheTtlAfterTheirLastUse() {
    SessionAffinity affinity = affinity(Method.KEY);
    affinity.pin(key("job-1"), a);
    ticker.advance(Duration.ofMinutes(5).minusNanos(1));
    assertThat(affinity.getServer(key("job-1"))).contains(a); // and slides to 10 min - 1 ns
    ticker.advance(Duration.ofMinutes(5).minusNanos(1));
    assertThat(affinity.getServer(key("job-1"))).contains(a); // slides to 15 min - 2 ns
    ticker.advance(Duration.ofMinutes(5));
    assertThat(affinity.getServer(key("job-1"))).isEmpty();
    assertThat(affinity.size()).as("an expired pin is dropped when seen").isZero();
  }

  @Test
  void expiryWorksAcrossTickerOverflow() {
    ticker.setNanos(Long.MAX_VALUE - Duration.ofMinutes(1).toNanos());
    SessionAffinity affinity = affinity(Method.KEY);
    affinity.pin(key("job-1"), a);
    ticker.advance(Duration.ofMinutes(4));
    assertThat(affinity.getServer(key("job-1"))).contains(a);
    ticker.advance(Duration.ofMinutes(5));
    assertThat(affinity.getServer(key("job-1"))).isEmpty();
  }

  @Test
  void aHugeTtlMeansForever() {
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofSeconds(Long.MAX_VALUE), 10, "c", ticker);
    affinity.pin(key("job-1"), a);
    ticker.advance(Duration.ofDays(365 * 100));
    assertThat(affinity.getServer(key("job-1"))).contains(a);
  }

  @Test
  void pastMaxEntriesTheOldestPinsAreEvicted() {
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofMinutes(5), 3, "c", ticker);
    for (int i = 0; i < 10; i++) {
      affinity.pin(key("job-" + i), i % 2 == 0 ? a : b);
      ticker.advance(Duration.ofSeconds(1));
      assertThat(affinity.size()).isLessThanOrEqualTo(3);
    }
    assertThat(affinity.getServer(key("job-9"))).contains(b);
    assertThat(affinity.getServer(key("job-8"))).contains(a);
    assertThat(affinity.getServer(key("job-7"))).contains(b);
    for (int i = 0; i < 7; i++) {
      assertThat(affinity.getServer(key("job-" + i))).as("job-%s", i).isEmpty();
    }
  }

  @Test
  void expiredPinsAreEvictedFirst() {
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofMinutes(5), 2, "c", ticker);
    affinity.pin(key("old-1"), a);
    ticker.advance(Duration.ofSeconds(1));
    affinity.pin(key("old-2"), a);
    ticker.advance(Duration.ofMinutes(10));
    affinity.pin(key("new"), b);
    assertThat(affinity.size()).isEqualTo(1);
    assertThat(affinity.getServer(key("new"))).contains(b);
  }

  @Test
  void aUsedPinIsNotTheOneEvicted() {
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofMinutes(5), 2, "c", ticker);
    affinity.pin(key("first"), a);
    ticker.advance(Duration.ofSeconds(1));
    affinity.pin(key("second"), b);
    ticker.advance(Duration.ofSeconds(1));
    assertThat(affinity.getServer(key("first"))).contains(a); // refreshed: now expires last
    ticker.advance(Duration.ofSeconds(1));
    affinity.pin(key("third"), a);
    assertThat(affinity.getServer(key("second"))).isEmpty();
    assertThat(affinity.getServer(key("first"))).contains(a);
    assertThat(affinity.getServer(key("third"))).contains(a);
  }

  /** Race: many threads pinning fresh keys past the bound while others read. */
  @Test
  void theTableStaysWithinItsBoundUnderConcurrentPins() throws Exception {
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofMinutes(5), 100, "c", Ticker.system());
    int threads = 4;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 5_000; i++) {
                    Request r = key("t" + id + "-" + i);
                    Server pinned = i % 2 == 0 ? a : b;
                    affinity.pin(r, pinned);
                    // Another thread's eviction may already have dropped it: only never wrong.
                    affinity.getServer(r).ifPresent(s -> assertThat(s).isSameAs(pinned));
                  }
                  return null;
                }));
      }
      start.countDown();
      for (Future<?> f : futures) {
        f.get(30, TimeUnit.SECONDS);
      }
    } finally {
      pool.shutdownNow();
    }
    assertThat(affinity.size()).isBetween(1, 100);
    assertThat(affinity.storedKeys()).hasSize(affinity.size());
  }

  @Test
  void rejectsBadArguments() {
    Duration ttl = Duration.ofMinutes(1);
    assertThatThrownBy(() -> new SessionAffinity(Method.KEY, Duration.ZERO))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttl: PT0S (expected: > 0)");
    assertThatThrownBy(() -> new SessionAffinity(Method.KEY, Duration.ofSeconds(-1)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("ttl: PT-1S (expected: > 0)");
    assertThatThrownBy(() -> new SessionAffinity(Method.KEY, ttl, 0, "c", ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("maxEntries: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new SessionAffinity(Method.KEY, ttl, 1, " ", ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cookieName: ' ' (expected: not blank)");
    assertThatThrownBy(() -> new SessionAffinity(Method.KEY, ttl, 1, "", ticker))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("cookieName");
    assertThatThrownBy(() -> new SessionAffinity(null, ttl))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("method");
    assertThatThrownBy(() -> new SessionAffinity(Method.KEY, null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ttl");
    assertThatThrownBy(() -> new SessionAffinity(Method.KEY, ttl, 1, null, ticker))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("cookieName");
    assertThatThrownBy(() -> new SessionAffinity(Method.KEY, ttl, 1, "c", null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("ticker");

    SessionAffinity affinity = affinity(Method.KEY);
    assertThatThrownBy(() -> affinity.getServer(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
    assertThatThrownBy(() -> affinity.pin(null, a))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
    assertThatThrownBy(() -> affinity.pin(key("k"), null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThatThrownBy(() -> affinity.unpin(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("request");
    assertThatThrownBy(() -> affinity.cookieValue(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("server");
    assertThat(affinity.size()).isZero();
  }

  @Test
  void describesItself() {
    SessionAffinity affinity = affinity(Method.IP);
    affinity.pin(ip("1.2.3.4"), a);
    assertThat(affinity).hasToString("SessionAffinity{IP, ttl=PT5M, pins=1}");
  }

  // ------------------------------------------------------------ the table: cost and bounds

  /** Regression: each new key past a full table of 100,000 pins scanned the whole table. */
  @Test
  void insertingDistinctKeysIntoAFullTableDoesConstantWorkPerInsert() {
    int max = SessionAffinity.DEFAULT_MAX_ENTRIES;
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofMinutes(5), max, "c", ticker);
    for (int i = 0; i < max; i++) {
      affinity.pin(key("old-" + i), a);
    }
    assertThat(affinity.size()).isEqualTo(max);
    assertThat(affinity.entriesExamined()).isZero();
    long mostPerInsert = 0;
    for (int i = 0; i < max; i++) {
      long before = affinity.entriesExamined();
      affinity.pin(key("new-" + i), b);
      mostPerInsert = Math.max(mostPerInsert, affinity.entriesExamined() - before);
    }
    assertThat(mostPerInsert).as("entries examined by one insert").isEqualTo(1);
    assertThat(affinity.entriesExamined()).isEqualTo(max);
    assertThat(affinity.size()).isEqualTo(max);
    assertThat(affinity.getServer(key("old-" + (max - 1)))).isEmpty();
    assertThat(affinity.getServer(key("new-0"))).contains(b);
  }

  /** The worst case for a second-chance queue: every pin was used since it was queued. */
  @Test
  void insertsIntoAFullTableOfUsedPinsStillDoBoundedWork() {
    int max = 10_000;
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofMinutes(5), max, "c", ticker);
    for (int i = 0; i < max; i++) {
      affinity.pin(key("k" + i), a);
    }
    ticker.advance(Duration.ofSeconds(1));
    for (int i = 0; i < max; i++) {
      assertThat(affinity.getServer(key("k" + i))).contains(a);
    }
    long bound = 1 + SessionAffinity.SECOND_CHANCES + SessionAffinity.EXPIRED_SWEEP;
    for (int i = 0; i < max; i++) {
      long before = affinity.entriesExamined();
      affinity.pin(key("new-" + i), b);
      assertThat(affinity.entriesExamined() - before).isLessThanOrEqualTo(bound);
      assertThat(affinity.size()).isLessThanOrEqualTo(max);
    }
    // Requeued pins were evicted in their turn (each queued pin is examined at most twice).
    assertThat(affinity.entriesExamined()).isLessThanOrEqualTo(3L * max);
  }

  @Test
  void insertsIntoAFullTableOfExpiredPinsDoBoundedWork() {
    int max = 10_000;
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofMinutes(5), max, "c", ticker);
    for (int i = 0; i < max; i++) {
      affinity.pin(key("k" + i), a);
    }
    ticker.advance(Duration.ofMinutes(6));
    long bound = 1 + SessionAffinity.SECOND_CHANCES + SessionAffinity.EXPIRED_SWEEP;
    for (int i = 0; i < max; i++) {
      long before = affinity.entriesExamined();
      affinity.pin(key("new-" + i), b);
      assertThat(affinity.entriesExamined() - before).isLessThanOrEqualTo(bound);
    }
    assertThat(affinity.size()).isEqualTo(max);
    assertThat(affinity.getServer(key("k0"))).isEmpty();
  }

  @Test
  void expiredPinsAreSweptByLaterInsertsNotOnlyWhenSeen() {
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofMinutes(5), 100, "c", ticker);
    for (int i = 0; i < 10; i++) {
      affinity.pin(key("old-" + i), a);
    }
    ticker.advance(Duration.ofMinutes(5));
    affinity.pin(key("new-0"), b);
    assertThat(affinity.size()).as("two swept, one added").isEqualTo(9);
    for (int i = 1; i < 5; i++) {
      affinity.pin(key("new-" + i), b);
    }
    assertThat(affinity.size()).isEqualTo(5);
    assertThat(affinity.storedKeys())
        .containsExactlyInAnyOrder("new-0", "new-1", "new-2", "new-3", "new-4");
  }

  @Test
  void aRepinnedKeyMovesWithoutGrowingTheTable() {
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofMinutes(5), 2, "c", ticker);
    for (int i = 0; i < 100; i++) {
      affinity.pin(key("k"), i % 2 == 0 ? a : b);
      ticker.advance(Duration.ofSeconds(1));
    }
    assertThat(affinity.size()).isEqualTo(1);
    assertThat(affinity.getServer(key("k"))).contains(b);
    assertThat(affinity.entriesExamined()).isZero();
  }

  /**
   * Race: writers pin fresh and repeated keys, unpin and read while time moves; a watcher checks
   * that the table never holds more than maxEntries at any moment it looks.
   */
  @Test
  void theTableNeverExceedsMaxEntriesUnderConcurrentChurn() throws Exception {
    int max = 64;
    SessionAffinity affinity =
        new SessionAffinity(Method.KEY, Duration.ofMillis(50), max, "c", ticker);
    int writers = 3;
    ExecutorService pool = Executors.newFixedThreadPool(writers + 1);
    AtomicBoolean done = new AtomicBoolean();
    AtomicInteger largest = new AtomicInteger();
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<?>> futures = new ArrayList<>();
      for (int t = 0; t < writers; t++) {
        int id = t;
        futures.add(
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < 20_000; i++) {
                    Request fresh = key("t" + id + "-" + i);
                    Request shared = key("shared-" + (i % 100));
                    Server pinned = i % 3 == 0 ? a : b;
                    affinity.pin(fresh, pinned);
                    affinity.pin(shared, pinned);
                    affinity.getServer(fresh).ifPresent(s -> assertThat(s).isSameAs(pinned));
                    affinity.getServer(shared);
                    if (i % 7 == 0) {
                      affinity.unpin(key("t" + id + "-" + (i - 3)));
                    }
                    if (id == 0 && i % 50 == 0) {
                      ticker.advance(Duration.ofMillis(10));
                    }
                  }
                  return null;
                }));
      }
      Future<?> watcher =
          pool.submit(
              () -> {
                start.await();
                while (!done.get()) {
                  largest.accumulateAndGet(affinity.size(), Math::max);
                }
                return null;
              });
      start.countDown();
      for (Future<?> f : futures) {
        f.get(60, TimeUnit.SECONDS);
      }
      done.set(true);
      watcher.get(60, TimeUnit.SECONDS);
    } finally {
      done.set(true);
      pool.shutdownNow();
    }
    assertThat(largest.get()).isBetween(1, max);
    assertThat(affinity.size()).isBetween(1, max);
    assertThat(affinity.storedKeys()).hasSize(affinity.size());
  }

  // ------------------------------------------------------------ what keys retain

  /** Regression: 256 keys of 1 MiB kept 516 MiB alive. */
  @Test
  void aHugeKeyIsNotRetained() {
    SessionAffinity affinity = affinity(Method.KEY);
    for (int i = 0; i < 16; i++) {
      affinity.pin(key(huge('a', i)), a);
    }
    assertThat(affinity.size()).isEqualTo(16);
    for (Object stored : affinity.storedKeys()) {
      assertThat(stored).isNotInstanceOf(String.class).isInstanceOf(AffinityKeys.Digest.class);
    }
    // An equal key (another String instance) finds its pin; a key that shares all but its end
    // does not.
    assertThat(affinity.getServer(key(huge('a', 7)))).contains(a);
    assertThat(affinity.getServer(key(huge('b', 7)))).isEmpty();
    affinity.unpin(key(huge('a', 7)));
    assertThat(affinity.getServer(key(huge('a', 7)))).isEmpty();
    assertThat(affinity.size()).isEqualTo(15);
  }

  @Test
  void keysUpToTheLimitAreStoredAsTheyAre() {
    SessionAffinity affinity = affinity(Method.IP);
    String atLimit = "k".repeat(SessionAffinity.MAX_STORED_KEY_LENGTH);
    String overLimit = atLimit + "k";
    affinity.pin(ip(atLimit), a);
    affinity.pin(ip(overLimit), b);
    assertThat(affinity.storedKeys())
        .hasSize(2)
        .contains(atLimit)
        .doesNotContain(overLimit)
        .allSatisfy(
            k ->
                assertThat(k instanceof String ? ((String) k).length() : 0)
                    .isLessThanOrEqualTo(SessionAffinity.MAX_STORED_KEY_LENGTH));
    assertThat(affinity.getServer(ip(atLimit))).contains(a);
    assertThat(affinity.getServer(ip(overLimit))).contains(b);
  }

  /** 1 MiB characters: {@code fill} repeated, then {@code i}. */
  private static String huge(char fill, int i) {
    return String.valueOf(fill).repeat(1 << 20) + i;
  }

  // ------------------------------------------------------------ cookies

  /** Regression: the cookie was an unsalted hash of host:port that anyone could compute. */
  @Test
  void theOldUnkeyedCookieOfAServerDoesNotMatch() {
    SessionAffinity affinity = affinity(Method.COOKIE);
    affinity.pin(Request.empty(), a);
    String unkeyed = String.format("%016x", KeyHash.of(a.id()));
    assertThat(affinity.getServer(cookie("SID", unkeyed))).isEmpty();
    assertThat(affinity.cookieValue(a))
        .isNotEqualTo(unkeyed)
        .matches("[A-Za-z0-9_-]{22}")
        .doesNotContain("10.2.0.1");
  }

  @Test
  void aForgedCookieDoesNotMatch() {
    SessionAffinity affinity = affinity(Method.COOKIE);
    affinity.pin(Request.empty(), a);
    String value = affinity.cookieValue(a);
    char last = value.charAt(value.length() - 1);
    String oneCharOff = value.substring(0, value.length() - 1) + (last == 'A' ? 'B' : 'A');
    for (String forged :
        List.of(oneCharOff, value + "A", value.substring(1), "", "A".repeat(22), value + value)) {
      assertThat(affinity.getServer(cookie("SID", forged))).as(forged).isEmpty();
    }
    assertThat(affinity.getServer(cookie("SID", value))).contains(a);
  }

  @Test
  void instancesWithoutASharedSecretDoNotHonourEachOthersCookies() {
    SessionAffinity one = affinity(Method.COOKIE);
    SessionAffinity other = affinity(Method.COOKIE);
    one.pin(Request.empty(), a);
    other.pin(Request.empty(), a);
    assertThat(one.cookieValue(a)).isNotEqualTo(other.cookieValue(a));
    assertThat(other.getServer(cookie("SID", one.cookieValue(a)))).isEmpty();
    assertThat(one.getServer(cookie("SID", other.cookieValue(a)))).isEmpty();
  }

  @Test
  void instancesWithASharedSecretHonourEachOthersCookies() {
    byte[] secret = new byte[32];
    new SecureRandom().nextBytes(secret);
    SessionAffinity one = cookieAffinity(secret);
    SessionAffinity other = cookieAffinity(secret);
    one.pin(Request.empty(), a);
    other.pin(Request.empty(), a);
    assertThat(one.cookieValue(a)).isEqualTo(other.cookieValue(a));
    assertThat(other.getServer(cookie("SID", one.cookieValue(a)))).contains(a);
    assertThat(one.cookieValue(b)).isNotEqualTo(one.cookieValue(a));
  }

  /** The value format, pinned: HMAC-SHA256 of FORMAT, NUL and the id; 16 bytes in base64url. */
  @Test
  void cookieValuesFollowTheDocumentedFormat() {
    byte[] secret = new byte[32];
    for (int i = 0; i < secret.length; i++) {
      secret[i] = (byte) i;
    }
    SessionAffinity affinity = cookieAffinity(secret);
    assertThat(affinity.cookieValue(new Server("10.0.0.1", 8080)))
        .isEqualTo("t2s7q2JUEs_TkMji5eHCzg");
    assertThat(affinity.cookieValue(new Server("0:0:0:0:0:0:0:1", 80)))
        .isEqualTo("WCiT3E_s93IM9DbGpEWOUw");
  }

  @Test
  void theCookieSecretIsCopiedAndMustHave16Bytes() {
    byte[] secret = new byte[16];
    SessionAffinity.Builder builder = SessionAffinity.builder(Method.COOKIE, Duration.ofMinutes(1));
    builder.cookieSecret(secret);
    secret[0] = 1;
    assertThat(builder.build().cookieValue(a))
        .isEqualTo(cookieAffinity(new byte[16]).cookieValue(a));
    assertThatThrownBy(() -> builder.cookieSecret(new byte[15]))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("cookieSecret: 15 bytes (expected: >= 16)");
    assertThatThrownBy(() -> builder.cookieSecret(null))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("cookieSecret");
  }

  @Test
  void theBuilderSetsEverythingAndChecksAtOnce() {
    SessionAffinity affinity =
        SessionAffinity.builder(Method.COOKIE, Duration.ofMinutes(2))
            .maxEntries(3)
            .cookieName("SID")
            .ticker(ticker)
            .cookieSecret(new byte[16])
            .build();
    assertThat(affinity.method()).isEqualTo(Method.COOKIE);
    assertThat(affinity.ttl()).isEqualTo(Duration.ofMinutes(2));
    assertThat(affinity.cookieName()).isEqualTo("SID");
    affinity.pin(Request.empty(), a);
    ticker.advance(Duration.ofMinutes(2));
    assertThat(affinity.getServer(cookie("SID", affinity.cookieValue(a)))).isEmpty();
    SessionAffinity.Builder builder = SessionAffinity.builder(Method.KEY, Duration.ofMinutes(1));
    assertThatThrownBy(() -> builder.maxEntries(0)).hasMessage("maxEntries: 0 (expected: >= 1)");
    assertThatThrownBy(() -> builder.cookieName(" "))
        .hasMessage("cookieName: ' ' (expected: not blank)");
    assertThatThrownBy(() -> builder.ticker(null)).hasMessage("ticker");
    assertThatThrownBy(() -> SessionAffinity.builder(Method.KEY, Duration.ZERO))
        .hasMessage("ttl: PT0S (expected: > 0)");
    assertThatThrownBy(() -> SessionAffinity.builder(null, Duration.ofMinutes(1)))
        .hasMessage("method");
  }

  private SessionAffinity cookieAffinity(byte[] secret) {
    return SessionAffinity.builder(Method.COOKIE, Duration.ofMinutes(5))
        .maxEntries(1_000)
        .cookieName("SID")
        .ticker(ticker)
        .cookieSecret(secret)
        .build();
  }
}
