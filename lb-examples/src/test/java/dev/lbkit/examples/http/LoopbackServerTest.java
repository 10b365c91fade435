package dev.lbkit.examples.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class LoopbackServerTest {

  @Test
  void handlerOutcomesBecomeAnswers() throws Exception {
    try (LoopbackServer server =
        LoopbackServer.start(
            "outcomes",
            exchange -> {
              switch (exchange.getRequestURI().getPath()) {
                case "/ok":
                  Exchanges.respond(
                      exchange, 200, Map.of("query", Exchanges.queryParameters(exchange)));
                  break;
                case "/echo":
                  Exchanges.respond(exchange, 200, Exchanges.jsonBody(exchange));
                  break;
                case "/teapot":
                  throw new HttpError(418, "short and stout");
                default:
                  throw new IllegalStateException("internal detail: password=hunter2");
              }
            })) {
      URI uri = server.uri();
      assertThat(uri.getHost()).isEqualTo("127.0.0.1");
      assertThat(uri.getPort()).isEqualTo(server.port()).isPositive();

      TestHttp.Reply ok = TestHttp.get(uri, "/ok?a=1&b=x%20y&&c");
      assertThat(ok.status()).isEqualTo(200);
      assertThat(ok.body()).isEqualTo("{\"query\":{\"a\":\"1\",\"b\":\"x y\",\"c\":\"\"}}");
      assertThat(ok.headers().firstValue("Content-Type"))
          .hasValue("application/json; charset=utf-8");

      assertThat(TestHttp.post(uri, "/echo", "{\"a\":1}").body()).isEqualTo("{\"a\":1}");
      TestHttp.Reply malformed = TestHttp.post(uri, "/echo", "{\"a\":");
      assertThat(malformed.status()).isEqualTo(400);
      assertThat(malformed.get("error")).startsWith("body: JSON: not an object of scalars");
      String tooBig = "{\"a\":\"" + "x".repeat(Exchanges.MAX_BODY_BYTES) + "\"}";
      assertThat(TestHttp.post(uri, "/echo", tooBig).status()).isEqualTo(413);

      TestHttp.Reply teapot = TestHttp.get(uri, "/teapot");
      assertThat(teapot.status()).isEqualTo(418);
      assertThat(teapot.body()).isEqualTo("{\"error\":\"short and stout\"}");

      TestHttp.Reply bug = TestHttp.get(uri, "/bug");
      assertThat(bug.status()).isEqualTo(500);
      assertThat(bug.body()).isEqualTo("{\"error\":\"internal error\"}");
    }
  }

  @Test
  void closeInterruptsRunningHandlersBeforeDroppingTheirConnections() throws Exception {
    Set<Thread> before = Threads.live();
    CountDownLatch entered = new CountDownLatch(1);
    CountDownLatch never = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    AtomicBoolean interruptedBeforeTheDrop = new AtomicBoolean();
    LoopbackServer server =
        LoopbackServer.start(
            "closing",
            exchange -> {
              entered.countDown();
              try {
                never.await();
              } catch (InterruptedException e) {
                interrupted.set(true);
              }
            });
    HttpClient client = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    CompletableFuture<HttpResponse<String>> call =
        client.sendAsync(
            HttpRequest.newBuilder(server.uri().resolve("/slow")).build(),
            HttpResponse.BodyHandlers.ofString());
    CompletableFuture<Void> dropped =
        call.handle((r, e) -> null).thenRun(() -> interruptedBeforeTheDrop.set(interrupted.get()));
    assertThat(entered.await(10, TimeUnit.SECONDS)).isTrue();

    server.close();
    server.close(); // idempotent

    assertThatThrownBy(() -> call.get(10, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(java.io.IOException.class);
    dropped.get(10, TimeUnit.SECONDS);
    assertThat(interruptedBeforeTheDrop).isTrue();
    Threads.awaitNoneBut(before);
  }
}
