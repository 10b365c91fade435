package dev.lbkit.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ServerTest {

  @Test
  void holdsItsIdentity() {
    Server s = new Server("10.0.0.1", 8080, 3);
    assertThat(s.host()).isEqualTo("10.0.0.1");
    assertThat(s.port()).isEqualTo(8080);
    assertThat(s.weight()).isEqualTo(3);
    assertThat(s.id()).isEqualTo("10.0.0.1:8080");
    assertThat(s).hasToString("10.0.0.1:8080 (w=3)");
    assertThat(new Server("a", 80)).hasToString("a:80");
    assertThat(new Server("a", 80).weight()).isEqualTo(1);
  }

  @Test
  void bracketsIpv6Literals() {
    assertThat(new Server("::1", 80).id()).isEqualTo("[::1]:80");
    assertThat(new Server("[::1]", 80).id()).isEqualTo("[::1]:80");
  }

  @Test // regression: "10.0.0.1:8080" became the id "[10.0.0.1:8080]:80"
  void aHostWithAPortIsRejectedNotBracketedIntoTheId() {
    assertThatThrownBy(() -> new Server("10.0.0.1:8080", 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageStartingWith("host: '10.0.0.1:8080' (expected: no port");
  }

  @Test // regression: "::1" and "0:0:0:0:0:0:0:1", "A.example" and "a.example" were two servers
  void oneHostSpelledTwoWaysHasOneId() {
    assertThat(new Server("0:0:0:0:0:0:0:1", 80).id()).isEqualTo("[::1]:80");
    assertThat(new Server("A.Example", 80).id()).isEqualTo("a.example:80");
    assertThat(new Server("A.Example", 80).host()).isEqualTo("a.example");
    assertThat(new Server("10.0.0.1", 8080).id()).isEqualTo("10.0.0.1:8080");
    assertThat(new Server("a", 8080).id()).isEqualTo("a:8080");
  }

  @Test // regression: CR/LF in a host was accepted, and copied into ids, logs and headers
  void controlCharactersInTheHostAreRejected() {
    assertThatThrownBy(() -> new Server("a\r\nb", 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host: 'a\\r\\nb' (expected: no whitespace or control characters)");
  }

  @Test
  void isEqualByIdOnly() {
    Server a = new Server("a", 80, 1);
    Server heavierA = new Server("a", 80, 5);
    heavierA.setHealthy(false);
    assertThat(a).isEqualTo(heavierA).hasSameHashCodeAs(heavierA);
    assertThat(a).isNotEqualTo(new Server("a", 81)).isNotEqualTo("a:80");
  }

  @Test
  void startsHealthyAndFlips() {
    Server s = new Server("a", 80);
    assertThat(s.isHealthy()).isTrue();
    s.setHealthy(false);
    assertThat(s.isHealthy()).isFalse();
    s.setHealthy(true);
    assertThat(s.isHealthy()).isTrue();
  }

  @Test
  void tellsItsWatchersOnlyWhenHealthOrWeightChanges() {
    Server s = new Server("a", 80);
    java.util.concurrent.atomic.AtomicInteger told =
        new java.util.concurrent.atomic.AtomicInteger();
    ServerWatcher watcher = server -> told.incrementAndGet();
    s.watch(watcher);
    s.setHealthy(true);
    s.setWeight(1);
    assertThat(told).hasValue(0);
    s.setHealthy(false);
    s.setWeight(2);
    assertThat(told).hasValue(2);
    s.unwatch(watcher);
    s.setHealthy(true);
    assertThat(told).hasValue(2);
  }

  @Test
  void weightCanChangeAndWeightedBalancersFollow() {
    Server a = new Server("a", 80, 1);
    Server b = new Server("b", 80, 1);
    WeightedRoundRobin wrr = new WeightedRoundRobin(List.of(a, b));
    assertThat(wrr.schedule().period()).isEqualTo(2);
    a.setWeight(3);
    assertThat(a.weight()).isEqualTo(3);
    assertThat(wrr.schedule().period()).isEqualTo(4);
    assertThatThrownBy(() -> a.setWeight(0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight: 0 (expected: >= 1)");
  }

  @Test
  void reportsLoad() {
    Server s = new Server("a", 80);
    assertThat(s.load()).isZero();
    s.reportLoad(7);
    assertThat(s.load()).isEqualTo(7);
    assertThatThrownBy(() -> s.reportLoad(-1))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("load: -1 (expected: >= 0)");
  }

  @Test
  void capsConnectionsAtomically() {
    Server s = new Server("a", 80);
    assertThat(s.tryConnectionOpened(2)).isTrue();
    assertThat(s.tryConnectionOpened(2)).isTrue();
    assertThat(s.tryConnectionOpened(2)).isFalse();
    assertThat(s.activeConnections()).isEqualTo(2);
  }

  @Test
  void rejectsBadArguments() {
    assertThatThrownBy(() -> new Server(null, 80))
        .isInstanceOf(NullPointerException.class)
        .hasMessage("host");
    assertThatThrownBy(() -> new Server(" ", 80))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("host: ' ' (expected: not blank)");
    assertThatThrownBy(() -> new Server("a", 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: 0 (expected: 1..65535)");
    assertThatThrownBy(() -> new Server("a", 65_536))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("port: 65536 (expected: 1..65535)");
    assertThatThrownBy(() -> new Server("a", 80, 0))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight: 0 (expected: >= 1)");
    assertThatThrownBy(() -> new Server("a", 80, -3))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("weight: -3 (expected: >= 1)");
  }

  @Test // race: two threads closing the last connection at once must not both decrement
  void connectionCountNeverGoesNegativeUnderConcurrentCloses() throws Exception {
    Server s = new Server("a", 80);
    AtomicBoolean negative = new AtomicBoolean();
    List<Thread> threads = new ArrayList<>();
    CountDownLatch start = new CountDownLatch(1);
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                try {
                  start.await();
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  return;
                }
                for (int i = 0; i < 50_000; i++) {
                  if (i % 3 == 0) {
                    s.connectionOpened();
                  }
                  s.connectionClosed();
                  if (s.activeConnections() < 0) {
                    negative.set(true);
                  }
                }
              });
      threads.add(thread);
      thread.start();
    }
    start.countDown();
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(negative).isFalse();
    assertThat(s.activeConnections()).isBetween(0, 4 * 50_000);
  }

  @Test
  void balancedOpensAndClosesFromManyThreadsEndAtZero() throws Exception {
    Server s = new Server("a", 80);
    List<Thread> threads = new ArrayList<>();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 50_000; i++) {
                  s.connectionOpened();
                  s.connectionClosed();
                }
              });
      threads.add(thread);
      thread.start();
    }
    for (Thread thread : threads) {
      thread.join();
    }
    assertThat(s.activeConnections()).isZero();
  }
}
