package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.lbkit.core.SessionAffinity.Method;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
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
    Request later = cookie(SessionAffinity.DEFAULT_COOKIE_NAME, SessionAffinity.cookieValue(a));
    assertThat(affinity.getServer(later)).contains(a);
  }

  @Test
  void cookieAffinityPinsUnderTheServersCookieValue() {
    SessionAffinity affinity = affinity(Method.COOKIE);
    affinity.pin(Request.empty(), a);
    affinity.pin(cookie("SID", "whatever the client sent"), b);
    assertThat(affinity.getServer(cookie("SID", SessionAffinity.cookieValue(a)))).contains(a);
    assertThat(affinity.getServer(cookie("SID", SessionAffinity.cookieValue(b)))).contains(b);
    assertThat(affinity.getServer(cookie("SID", "whatever the client sent"))).isEmpty();
    assertThat(affinity.getServer(cookie("OTHER", SessionAffinity.cookieValue(a))))
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
  void theTableStaysNearItsBoundUnderConcurrentPins() throws Exception {
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
    assertThat(affinity.size()).isBetween(1, 100 + threads);
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
    assertThatThrownBy(() -> SessionAffinity.cookieValue(null))
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
}
