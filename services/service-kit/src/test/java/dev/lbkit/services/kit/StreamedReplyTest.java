package dev.lbkit.services.kit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.lbkit.services.kit.testing.TestHttp;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The routes' trailing {@code {param...}} and replies that endpoints stream themselves. */
class StreamedReplyTest {
  private final BlockingQueue<String> logLines = new LinkedBlockingQueue<>();
  private HttpService service;
  private TestHttp http;

  @BeforeEach
  void start() throws Exception {
    Routes routes =
        Routes.builder()
            .get(
                "/files/{id}/{path...}",
                ex ->
                    Reply.json(200, Map.of("id", ex.pathParam("id"), "path", ex.pathParam("path"))))
            .get("/files/{id}/special", ex -> Reply.json(200, Map.of("special", true)))
            .get(
                "/stream/{n}",
                ex -> {
                  int n = Integer.parseInt(ex.pathParam("n"));
                  return Reply.streamed(
                          (request, response, callback) -> {
                            CompletableFuture<Integer> sent = new CompletableFuture<>();
                            response.setStatus(203);
                            response.getHeaders().put("Content-Type", "text/plain");
                            byte[] body = "x".repeat(n).getBytes(StandardCharsets.US_ASCII);
                            response.write(
                                true,
                                ByteBuffer.wrap(body),
                                Callback.from(
                                    () -> {
                                      callback.succeeded();
                                      sent.complete(203);
                                    },
                                    failure -> {
                                      callback.failed(failure);
                                      sent.completeExceptionally(failure);
                                    }));
                            return sent;
                          })
                      .header("X-Streamed", "yes");
                })
            .post(
                "/refuse",
                ex -> {
                  throw HttpError.unauthorized("no token");
                })
            .get(
                "/broken",
                ex ->
                    Reply.streamed(
                        (request, response, callback) -> {
                          throw new IllegalStateException("cannot start");
                        }))
            .build();
    service =
        HttpService.builder("kit-stream-test", routes)
            .port(0)
            .host("127.0.0.1")
            .log(JsonLog.to("kit-stream-test", logLines::add))
            .build()
            .start();
    http = TestHttp.of(service.port());
  }

  @AfterEach
  void stop() {
    service.close();
    http.close();
  }

  @Test
  void aTrailingParameterTakesTheRestOfThePath() {
    TestHttp.Reply nested = http.get("/files/7/logs/2026/run.txt");
    assertThat(nested.json().get("id").asText()).isEqualTo("7");
    assertThat(nested.json().get("path").asText()).isEqualTo("logs/2026/run.txt");
    assertThat(http.get("/files/7/one").json().get("path").asText()).isEqualTo("one");
    assertThat(http.get("/files/7/special").json().get("special").asBoolean()).isTrue();
    assertThat(http.get("/files/7").status()).isEqualTo(404);
  }

  @Test
  void aStreamedReplyWritesItsOwnAnswerAndIsLogged() throws InterruptedException {
    TestHttp.Reply reply = http.get("/stream/5000");

    assertThat(reply.status()).isEqualTo(203);
    assertThat(reply.body()).hasSize(5000);
    assertThat(reply.header("X-Streamed")).isEqualTo("yes");
    assertThat(reply.header("X-Content-Type-Options")).isEqualTo("nosniff");
    // the line is written once the write has completed, which may be after the client has read it
    String line;
    do {
      line = logLines.poll(30, TimeUnit.SECONDS);
    } while (line != null && !line.contains("\"action\":\"access\""));
    assertThat(line).contains("\"route\":\"/stream/{n}\"").contains("\"status\":203");
  }

  @Test
  void aStreamerThatCannotStartIsA500() {
    TestHttp.Reply reply = http.get("/broken");

    assertThat(reply.status()).isEqualTo(500);
    assertThat(reply.json().get("error").asText()).isEqualTo("internal");
  }

  @Test
  void aRequestRefusedBeforeItsBodyWasReadEndsItsConnection() {
    for (int i = 0; i < 3; i++) { // each on a connection of its own: none reads a closed one
      TestHttp.Reply refused = http.postJson("/refuse", Map.of("some", "body"));
      assertThat(refused.status()).isEqualTo(401);
      assertThat(refused.header("Connection")).isEqualTo("close");
    }
    assertThat(http.get("/files/1/a").header("Connection")).isNull();
  }
}
