package dev.lbkit.core;

import static dev.lbkit.core.FacadeFixtures.servers;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.List;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** {@link RetryRule}: the shipped rules, and {@link LoadBalancer#execute} obeying them. */
class RetryRuleTest {

  private static Request method(String method) {
    return Request.builder().method(method).path("/jobs").build();
  }

  private static final Request NO_METHOD = Request.builder().path("/jobs").build();

  @Test
  void safeRetriesWhatCannotHaveReachedTheServerWhateverTheMethod() {
    RetryRule safe = RetryRule.safe();
    for (Throwable neverSent :
        List.of(
            new ConnectException("refused"),
            new NoRouteToHostException("no route"),
            new UnknownHostException("nowhere.invalid"),
            new NoServerAvailableException("none"))) {
      assertThat(safe.shouldRetry(method("POST"), neverSent)).as("%s", neverSent).isTrue();
      assertThat(safe.shouldRetry(method("PATCH"), neverSent)).isTrue();
    }
  }

  @Test
  void safeRetriesAnIoExceptionOnlyOfAnIdempotentMethod() {
    RetryRule safe = RetryRule.safe();
    IOException reset = new IOException("connection reset");
    for (String idempotent : List.of("GET", "HEAD", "OPTIONS", "PUT", "DELETE", "get")) {
      assertThat(safe.shouldRetry(method(idempotent), reset)).as(idempotent).isTrue();
    }
    assertThat(safe.shouldRetry(NO_METHOD, reset)).isTrue();
    assertThat(safe.shouldRetry(NO_METHOD, new SocketTimeoutException("read"))).isTrue();
    for (String unsafe : List.of("POST", "PATCH", "CONNECT")) {
      assertThat(safe.shouldRetry(method(unsafe), reset)).as(unsafe).isFalse();
      assertThat(safe.shouldRetry(method(unsafe), new SocketTimeoutException("read"))).isFalse();
    }
  }

  @Test
  void safeNeverRetriesAnApplicationFailure() {
    RetryRule safe = RetryRule.safe();
    IllegalStateException app = new IllegalStateException("409 conflict");
    assertThat(safe.shouldRetry(method("GET"), app)).isFalse();
    assertThat(safe.shouldRetry(method("POST"), app)).isFalse();
    assertThat(safe.shouldRetry(NO_METHOD, new RuntimeException(new IOException("inside"))))
        .isFalse(); // only the completion wrappers are looked through
  }

  @Test
  void safeLooksThroughCompletionAndExecutionExceptions() {
    RetryRule safe = RetryRule.safe();
    Throwable wrapped =
        new CompletionException(
            new ExecutionException(new CompletionException(new ConnectException("refused"))));
    assertThat(safe.shouldRetry(method("POST"), wrapped)).isTrue();
    assertThat(safe.shouldRetry(method("GET"), new CompletionException(new IOException("x"))))
        .isTrue();
    assertThat(safe.shouldRetry(method("POST"), new CompletionException(new IOException("x"))))
        .isFalse();
    assertThat(safe.shouldRetry(method("GET"), new CompletionException(null))).isFalse();
  }

  @Test
  void alwaysAndNeverSayWhatTheySay() {
    assertThat(RetryRule.always().shouldRetry(method("POST"), new IllegalStateException()))
        .isTrue();
    assertThat(RetryRule.never().shouldRetry(method("GET"), new ConnectException())).isFalse();
    assertThat(RetryRule.safe()).hasToString("RetryRule.safe()");
  }

  @Test
  void aPostFailingWithAnApplicationExceptionIsTriedOnceByDefault() {
    LoadBalancer lb = LoadBalancer.builder(servers(3)).build();
    AtomicInteger calls = new AtomicInteger();
    IllegalStateException app = new IllegalStateException("500 from the application");
    FailoverException failure =
        org.assertj.core.api.Assertions.catchThrowableOfType(
            () ->
                lb.execute(
                    method("POST"),
                    server -> {
                      calls.incrementAndGet();
                      throw app;
                    }),
            FailoverException.class);
    assertThat(calls.get()).isEqualTo(1);
    assertThat(failure.attempts()).isEqualTo(1);
    assertThat(failure).hasCause(app);
    assertThat(failure).isInstanceOf(LoadBalancerException.class);
  }

  @Test
  void aPostWhoseConnectionIsRefusedIsRetriedByDefault() {
    List<Server> s = servers(3);
    LoadBalancer lb = LoadBalancer.builder(s).build();
    AtomicInteger calls = new AtomicInteger();
    String result =
        lb.execute(
            method("POST"),
            server -> {
              if (calls.incrementAndGet() == 1) {
                throw new ConnectException("Connection refused");
              }
              return server.id();
            });
    assertThat(calls.get()).isEqualTo(2);
    assertThat(result).isNotNull();
  }

  @Test
  void aGetFailingWithAnIoExceptionIsRetriedByDefault() {
    LoadBalancer lb = LoadBalancer.builder(servers(3)).build();
    AtomicInteger calls = new AtomicInteger();
    String result =
        lb.execute(
            method("GET"),
            server -> {
              if (calls.incrementAndGet() < 3) {
                throw new IOException("connection reset");
              }
              return "third time";
            });
    assertThat(result).isEqualTo("third time");
    assertThat(calls.get()).isEqualTo(3);
  }

  @Test
  void aCustomRuleSeesTheRequestAndTheFailure() {
    List<Object[]> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    RetryRule rule =
        (request, failure) -> {
          seen.add(new Object[] {request, failure});
          return failure instanceof IllegalStateException;
        };
    LoadBalancer lb = LoadBalancer.builder(servers(2)).retryRule(rule).build();
    Request post = method("POST");
    AtomicInteger calls = new AtomicInteger();
    String result =
        lb.execute(
            post,
            server -> {
              if (calls.incrementAndGet() == 1) {
                throw new IllegalStateException("retry me");
              }
              return "ok";
            });
    assertThat(result).isEqualTo("ok");
    assertThat(seen).singleElement().satisfies(pair -> assertThat(pair[0]).isSameAs(post));
  }

  @Test
  void aRuleThatThrowsStopsTheRetriesAndIsSuppressedInTheFailure() {
    RuntimeException broken = new RuntimeException("rule bug");
    LoadBalancer lb =
        LoadBalancer.builder(servers(3))
            .retryRule(
                (request, failure) -> {
                  throw broken;
                })
            .build();
    AtomicInteger calls = new AtomicInteger();
    assertThatThrownBy(
            () ->
                lb.execute(
                    method("GET"),
                    server -> {
                      calls.incrementAndGet();
                      throw new IOException("down");
                    }))
        .isInstanceOf(FailoverException.class)
        .satisfies(e -> assertThat(e.getCause().getSuppressed()).containsExactly(broken));
    assertThat(calls.get()).isEqualTo(1);
  }
}
